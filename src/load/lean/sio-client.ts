// A Socket.IO v4 client (Engine.IO protocol 4, Socket.IO protocol 5) on the lean
// WebSocket connection: the main namespace only, JSON text packets only (no binary),
// emit with acks, listen to events, answer pings, and notice a dead network by ping
// timeout as socket.io-client does. Used only where the conformance tests prove it
// behaves as socket.io-client (see lean-client.ts).

import { AckTimeoutError, ClientClosedError, ConnectFailedError, ConnectRefusedError, ConnectTimeoutError } from "../failures.js";
import type { VanishKind } from "../client.js";
import { WsConnection } from "./ws-connection.js";
import { waitForEvent } from "../wait-for.js";

export interface SioClientOptions {
  host: string;
  port: number;
  /** The Socket.IO path, `/socket.io/` by default. */
  path?: string;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  localAddress?: string;
  /** How errors name the server: its base URL. */
  shown: string;
}

type Listener = (...args: any[]) => void;
interface PendingAck {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  event: string;
}

/** One Socket.IO connection to the main namespace. */
export class SioClient {
  private readonly ws: WsConnection;
  private readonly pending = new Map<number, PendingAck>();
  private readonly listeners = new Map<string, Listener[]>();
  private nextAckId = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  /** The server's ping interval + timeout from the handshake: how long it waits before giving up. */
  pingDeadlineMs = 0;
  private connectWaiter: { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout } | undefined;
  private closeReason: string | undefined;
  /** disconnect() was called: the close that follows is "io client disconnect", as socket.io-client names it. */
  private leaving = false;
  private closeWaiters: ((reason: string) => void)[] = [];
  /** The local TCP port: how the fault proxy finds this client's link. */
  localPort = 0;

  private constructor(private readonly options: SioClientOptions) {
    const requestPath = `${options.path ?? "/socket.io/"}?EIO=4&transport=websocket`;
    this.ws = new WsConnection(
      options.host,
      options.port,
      requestPath,
      {
        onOpen: () => undefined,
        onText: (text) => this.onPacket(text),
        onClose: (reason) => this.onClosed(reason),
      },
      options.localAddress,
    );
  }

  /** Opens a connection and resolves once the main namespace has accepted it. */
  static connect(options: SioClientOptions): Promise<SioClient> {
    const client = new SioClient(options);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.connectWaiter = undefined;
        client.vanish("reset");
        reject(new ConnectTimeoutError(options.shown, options.connectTimeoutMs));
      }, options.connectTimeoutMs);
      client.connectWaiter = { resolve: () => resolve(client), reject, timer };
    });
  }

  get connected(): boolean {
    return this.closeReason === undefined && !this.leaving && this.ws.isOpen;
  }

  /** Resolves with the reason once the connection is gone. */
  closed(): Promise<string> {
    if (this.closeReason !== undefined) return Promise.resolve(this.closeReason);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Emits an event and resolves with the first argument of its acknowledgement. */
  request(event: string, args: unknown[], timeoutMs = this.options.ackTimeoutMs): Promise<unknown> {
    if (this.closeReason !== undefined) return Promise.reject(new ClientClosedError(this.closeReason, `the ack of "${event}"`));
    const packet = `42${this.nextAckId}${JSON.stringify([event, ...args])}`;
    const id = this.nextAckId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AckTimeoutError(event, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, event });
      this.ws.send(packet);
    });
  }

  /** Emits without asking for an acknowledgement. */
  emit(event: string, args: unknown[]): void {
    this.ws.send(`42${JSON.stringify([event, ...args])}`);
  }

  on(event: string, listener: Listener): void {
    const list = this.listeners.get(event);
    if (list) list.push(listener);
    else this.listeners.set(event, [listener]);
  }

  off(event: string, listener: Listener): void {
    const list = this.listeners.get(event);
    if (!list) return;
    const index = list.indexOf(listener);
    if (index !== -1) list.splice(index, 1);
  }

  /** Resolves with the first argument of the next `event` whose arguments pass `filter`; rejects on timeout or close. */
  waitFor(event: string, timeoutMs: number, filter: (...args: any[]) => boolean = () => true): Promise<unknown> {
    return waitForEvent(
      {
        listen: (listener) => this.on(event, listener),
        unlisten: (listener) => this.off(event, listener),
        closeReason: () => this.closeReason,
        onceClosed: (onClose) => {
          this.closeWaiters.push(onClose);
          return () => void (this.closeWaiters = this.closeWaiters.filter((waiter) => waiter !== onClose));
        },
      },
      event,
      timeoutMs,
      filter,
    );
  }

  /** A polite Socket.IO disconnect (the server sees "client namespace disconnect"). */
  disconnect(): void {
    if (this.closeReason !== undefined || this.leaving) return;
    this.leaving = true;
    this.ws.close("41");
  }

  /** Goes away without a goodbye, the way a closed tab, a crash or a reset would. */
  vanish(kind: VanishKind): void {
    if (kind === "close") this.ws.close();
    else if (kind === "end") this.ws.end();
    else this.ws.reset();
  }

  private onPacket(text: string): void {
    const type = text.charCodeAt(0);
    if (type === 52 /* 4 message */) this.onSocketIoPacket(text);
    else if (type === 50 /* 2 ping */) {
      this.ws.send("3");
      this.pingTimer?.refresh();
    } else if (type === 48 /* 0 open */) {
      let handshake: { pingInterval?: number; pingTimeout?: number };
      try {
        handshake = JSON.parse(text.slice(1));
      } catch {
        return this.vanish("reset");
      }
      this.pingDeadlineMs = (handshake.pingInterval ?? 25_000) + (handshake.pingTimeout ?? 20_000);
      // As socket.io-client does: no ping within interval + timeout means the network is dead.
      this.pingTimer = setTimeout(() => this.onPingTimeout(), this.pingDeadlineMs);
      this.ws.send("40");
    } else if (type === 49 /* 1 close */) this.ws.end();
  }

  private onPingTimeout(): void {
    this.closeReason ??= "ping timeout";
    this.ws.reset();
  }

  private onSocketIoPacket(text: string): void {
    const type = text.charCodeAt(1);
    if (type === 51 /* 3 ack */) {
      let index = 2;
      while (index < text.length && text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57) index++;
      const id = Number(text.slice(2, index));
      const waiter = this.pending.get(id);
      if (!waiter) return;
      this.pending.delete(id);
      clearTimeout(waiter.timer);
      try {
        waiter.resolve((JSON.parse(text.slice(index)) as unknown[])[0]);
      } catch (error) {
        waiter.reject(error as Error);
      }
    } else if (type === 50 /* 2 event */) {
      let index = 2;
      while (index < text.length && text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57) index++;
      let args: unknown;
      try {
        args = JSON.parse(text.slice(index));
      } catch {
        return;
      }
      if (!Array.isArray(args)) return;
      const list = this.listeners.get(String(args[0]));
      if (!list) return;
      for (const listener of [...list]) {
        try {
          listener(...args.slice(1));
        } catch {
          // A throwing listener ends this client, which fails its session, not the run.
          this.closeReason ??= "a listener threw";
          this.ws.reset();
        }
      }
    } else if (type === 48 /* 0 connect */) {
      const waiter = this.connectWaiter;
      this.connectWaiter = undefined;
      if (waiter) {
        clearTimeout(waiter.timer);
        this.localPort = this.ws.localPort;
        waiter.resolve();
      }
    } else if (type === 52 /* 4 connect error */) {
      const waiter = this.connectWaiter;
      this.connectWaiter = undefined;
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.reject(new ConnectRefusedError(this.options.shown, connectErrorMessage(text.slice(2))));
      }
      this.ws.close();
    } else if (type === 49 /* 1 disconnect */) {
      this.closeReason ??= "io server disconnect";
      this.ws.close();
    }
  }

  private onClosed(detail: string): void {
    // Named as socket.io-client names it ("transport error"); the detail goes to a failed connect.
    this.closeReason ??= this.leaving ? "io client disconnect" : detail.split(":", 1)[0];
    clearTimeout(this.pingTimer);
    // Most clients close with nothing pending: build the error only when someone gets it.
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new ClientClosedError(this.closeReason, `the ack of "${waiter.event}"`));
    }
    this.pending.clear();
    if (this.connectWaiter) {
      clearTimeout(this.connectWaiter.timer);
      this.connectWaiter.reject(new ConnectFailedError(this.options.shown, detail));
      this.connectWaiter = undefined;
    }
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const waiter of waiters) waiter(this.closeReason);
  }
}

/** The message of a CONNECT_ERROR packet's JSON ({"message": "..."}), or its text. */
function connectErrorMessage(json: string): string {
  try {
    const parsed = JSON.parse(json) as { message?: unknown };
    if (typeof parsed?.message === "string") return parsed.message;
  } catch {
    // not JSON: show it as it came
  }
  return json.slice(0, 200);
}
