// The one client a scenario drives: a socket.io-client Socket (what users' browsers and
// services run) with timed acks, bounded waits, and the ways a real client goes away
// (a closed tab, a crash, a reset, a dead network) reached through its raw TCP socket.

import type net from "node:net";
import type { Socket } from "socket.io-client";
import type { FaultProxy } from "./fault-proxy.js";
import { AckTimeoutError, ClientClosedError } from "./failures.js";
import type { LoadStats } from "./stats.js";
import { waitForEvent } from "./wait-for.js";

/** How a client goes away: a clean close (tab closed), FIN without a close frame (crash), or RST. */
export type VanishKind = "close" | "end" | "reset";

/** How a network goes away under a live connection: silently (noticed by ping timeouts) or with a reset. */
export type NetworkFault = "silent" | "reset";

/** The parts of engine.io-client's transport this needs: the `ws` WebSocket and its TCP (or TLS) socket. */
interface EngineTransport {
  name: string;
  ws?: { close(code?: number): void; _socket?: net.Socket | null } | null;
}
interface EngineLike {
  transport?: EngineTransport;
  close(): void;
  _pingInterval?: number;
  _pingTimeout?: number;
}

/** What a client needs from the run that opened it. */
export interface ClientDeps {
  stats: LoadStats;
  ackTimeoutMs: number;
  /** The fault proxy this client goes through (connected with via: "proxy"), else undefined. */
  proxy: FaultProxy | undefined;
}

/** The calls every client of a session has (Client, and the interview helper's lean path). */
export interface SessionClient {
  readonly id: string | undefined;
  readonly connected: boolean;
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
  emit(event: string, ...args: unknown[]): this;
  on(event: string, listener: (...args: any[]) => void): this;
  waitFor(event: string, timeoutMs: number, filter?: (...args: any[]) => boolean): Promise<any>;
  disconnect(): void;
  vanish(kind: VanishKind): void;
  dropNetwork(fault: NetworkFault): void;
  closed(): Promise<string>;
}

/** One connection to one namespace, opened by ctx.connect. */
export class Client implements SessionClient {
  private closeReason: string | undefined;
  private readonly closeWaiters: ((reason: string) => void)[] = [];

  constructor(
    /** The socket.io-client Socket, for anything this class does not wrap. */
    readonly socket: Socket,
    private readonly deps: ClientDeps,
  ) {
    socket.on("disconnect", (reason) => {
      this.closeReason ??= reason;
      deps.stats.clientClosed();
      for (const waiter of this.closeWaiters.splice(0)) waiter(this.closeReason);
    });
  }

  /** The socket's id on the server (undefined once disconnected). */
  get id(): string | undefined {
    return this.socket.id;
  }

  get connected(): boolean {
    return this.closeReason === undefined && this.socket.connected;
  }

  /** Emits and resolves with the acknowledgement's first argument; rejects after --ack-timeout or on disconnect. */
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    return this.ack(event, args).then((values) => values[0]);
  }

  /**
   * Like emitWithAck, resolving with every argument of the acknowledgement: acks of several
   * values, or Node-style `(err, value)` acks whose first argument alone says nothing.
   */
  emitWithAckAll(event: string, ...args: unknown[]): Promise<unknown[]> {
    return this.ack(event, args);
  }

  /** One timed, counted acknowledgement: its arguments, or a rejection after --ack-timeout or on disconnect. */
  private ack(event: string, args: unknown[]): Promise<unknown[]> {
    if (!this.connected) return Promise.reject(new ClientClosedError(this.closeReason ?? "not connected", `the ack of "${event}"`));
    const { stats, ackTimeoutMs } = this.deps;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      this.socket.timeout(ackTimeoutMs).emit(event, ...args, (error: Error | null, ...values: unknown[]) => {
        if (error) {
          // socket.io-client says "operation has timed out" or "socket has been disconnected".
          reject(this.connected ? new AckTimeoutError(event, ackTimeoutMs) : new ClientClosedError(this.closeReason ?? "disconnected", `the ack of "${event}"`));
          return;
        }
        stats.latency.record(performance.now() - started);
        stats.acks++;
        resolve(values);
      });
    });
  }

  /** Emits without an acknowledgement (dropped once the client is closed: no reconnection will send it). */
  emit(event: string, ...args: unknown[]): this {
    if (this.connected) this.socket.emit(event, ...args);
    return this;
  }

  /** Listens to a server event for the life of the client. */
  on(event: string, listener: (...args: any[]) => void): this {
    this.socket.on(event, listener);
    return this;
  }

  /**
   * Resolves with the first argument of the next `event` whose arguments pass `filter`;
   * rejects after `timeoutMs` or when the client closes first.
   */
  waitFor(event: string, timeoutMs: number, filter: (...args: any[]) => boolean = () => true): Promise<any> {
    return waitForEvent(
      {
        listen: (listener) => void this.socket.on(event, listener),
        unlisten: (listener) => void this.socket.off(event, listener),
        closeReason: () => this.closeReason,
        onceClosed: (onClose) => {
          this.closeWaiters.push(onClose);
          return () => {
            const index = this.closeWaiters.indexOf(onClose);
            if (index !== -1) this.closeWaiters.splice(index, 1);
          };
        },
      },
      event,
      timeoutMs,
      filter,
    );
  }

  /** A polite Socket.IO disconnect (the server sees "client namespace disconnect"). */
  disconnect(): void {
    if (this.closeReason === undefined) this.socket.disconnect();
  }

  /**
   * Goes away without a Socket.IO goodbye: a WebSocket close frame (a closed tab), FIN
   * without a close frame (a crashed process), or RST. Over HTTP long-polling there is no
   * connection to cut: the engine closes, which the server sees as a transport close.
   */
  vanish(kind: VanishKind): void {
    if (this.closeReason !== undefined) return;
    const engine = this.engine();
    const transport = engine?.transport;
    const raw = transport?.ws?._socket ?? undefined;
    if (!transport?.ws || !raw || raw.destroyed) {
      engine?.close();
      return;
    }
    if (kind === "close") transport.ws.close(1001); // "going away", as a browser closing its tab
    else if (kind === "end") raw.end();
    else resetSocket(raw);
  }

  /** Cuts the network under this client (connected with { via: "proxy" } over WebSocket). */
  dropNetwork(fault: NetworkFault): void {
    if (this.closeReason !== undefined) return;
    const proxy = this.deps.proxy;
    if (!proxy) throw new Error('dropNetwork needs a client connected with ctx.connect({ via: "proxy" })');
    const raw = this.engine()?.transport?.ws?._socket;
    const link = raw?.localPort !== undefined ? proxy.linkFor(raw.localPort) : undefined;
    if (!link) throw new Error('dropNetwork needs the websocket transport (the link of a polling client changes with every request)');
    if (fault === "reset") return link.reset();
    const engine = this.engine();
    // The server gives up after its ping interval + timeout; half a second more and it surely has.
    link.blackhole((engine?._pingInterval ?? 25_000) + (engine?._pingTimeout ?? 20_000) + 500);
  }

  /** Resolves with the reason once the connection is gone (after a silent drop: the ping timeout). */
  closed(): Promise<string> {
    if (this.closeReason !== undefined) return Promise.resolve(this.closeReason);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  private engine(): EngineLike | undefined {
    return (this.socket.io as unknown as { engine?: EngineLike }).engine;
  }
}

/** RST where the socket allows it; a TLS socket's handle is not a TCP one, so it is destroyed instead. */
function resetSocket(raw: net.Socket): void {
  try {
    if (raw.connecting) raw.destroy();
    else raw.resetAndDestroy();
  } catch {
    raw.destroy();
  }
}
