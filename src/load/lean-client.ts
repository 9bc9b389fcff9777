// The lean path: the hand-written Socket.IO client (lean/sio-client.ts on lean/ws-connection.ts)
// behind the same calls as Client, for the one case the bench needs it and the conformance
// tests prove it: the main namespace over plain-HTTP WebSocket, JSON arguments only. It costs
// the driver less than half the CPU per session of socket.io-client (bench/run.js), which on a
// 2-core machine is CPU the server under test gets back. It has no `socket`: only leakcheck's
// own interview helper asks for it (see LEAN_CONNECT); a scenario's ctx.connect is always
// socket.io-client.

import type { NetworkFault, SessionClient, VanishKind } from "./client.js";
import type { FaultProxy } from "./fault-proxy.js";
import { SioClient } from "./lean/sio-client.js";
import type { LoadStats } from "./stats.js";

/** The session context's hidden method that opens a lean client when the options allow it (else socket.io-client). */
export const LEAN_CONNECT = Symbol.for("leakcheck.leanConnect");

/** One lean connection, with the calls of Client that the interview protocol needs. */
export class LeanClient implements SessionClient {
  private closeReason: string | undefined;

  constructor(
    private readonly sio: SioClient,
    private readonly stats: LoadStats,
    private readonly ackTimeoutMs: number,
    private readonly proxy: FaultProxy | undefined,
  ) {
    void sio.closed().then((reason) => {
      this.closeReason = reason;
      stats.clientClosed();
    });
  }

  get id(): string | undefined {
    return undefined;
  }

  get connected(): boolean {
    return this.sio.connected;
  }

  emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    checkJson(args);
    const started = performance.now();
    return this.sio.request(event, args, this.ackTimeoutMs).then((value) => {
      this.stats.latency.record(performance.now() - started);
      this.stats.acks++;
      return value;
    });
  }

  emit(event: string, ...args: unknown[]): this {
    checkJson(args);
    if (this.sio.connected) this.sio.emit(event, args);
    return this;
  }

  on(event: string, listener: (...args: any[]) => void): this {
    this.sio.on(event, listener);
    return this;
  }

  waitFor(event: string, timeoutMs: number, filter?: (...args: any[]) => boolean): Promise<any> {
    return this.sio.waitFor(event, timeoutMs, filter);
  }

  disconnect(): void {
    this.sio.disconnect();
  }

  vanish(kind: VanishKind): void {
    if (this.closeReason === undefined) this.sio.vanish(kind);
  }

  dropNetwork(fault: NetworkFault): void {
    if (this.closeReason !== undefined) return;
    if (!this.proxy) throw new Error('dropNetwork needs a client connected with ctx.connect({ via: "proxy" })');
    const link = this.proxy.linkFor(this.sio.localPort);
    if (!link) throw new Error("dropNetwork: this client's link through the proxy is gone");
    if (fault === "reset") return link.reset();
    // The server gives up after its ping interval + timeout; half a second more and it surely has.
    link.blackhole(this.sio.pingDeadlineMs + 500);
  }

  closed(): Promise<string> {
    return this.sio.closed();
  }
}

/** The lean client writes JSON text packets only: binary would arrive as {type:"Buffer"} objects. */
function checkJson(args: unknown[]): void {
  for (const arg of args) {
    if (ArrayBuffer.isView(arg) || arg instanceof ArrayBuffer) throw new Error("the lean client sends no binary: connect with ctx.connect() for binary payloads");
  }
}
