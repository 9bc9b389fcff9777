// A TCP proxy on 127.0.0.1 between clients and the server, to cut networks on demand:
// `blackhole` stops forwarding without closing anything (a dead network, noticed only
// by ping timeouts), `reset` tears both sides down with RST.

import net from "node:net";

/** One client connection through the proxy. */
export class ProxyLink {
  private blackholed = false;
  private giveUpTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly downstream: net.Socket,
    readonly upstream: net.Socket,
    private readonly onGone: (link: ProxyLink) => void,
    private readonly onBlackhole: (link: ProxyLink) => void = () => undefined,
  ) {
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    const teardown = () => this.destroy();
    downstream.on("error", () => undefined);
    upstream.on("error", () => undefined);
    // While blackholed, a side that closes must not reveal itself to the other.
    downstream.on("close", () => (this.blackholed ? undefined : teardown()));
    upstream.on("close", teardown);
  }

  /**
   * Stops forwarding in both directions and keeps both sockets open, like a dead network.
   * After `serverGiveUpMs` (the server's ping interval + timeout, plus a margin) the
   * server has given up on the connection; the proxy then ends the dead TCP connection
   * so the `ws` library's 30 s close timer does not linger as if it were a leak.
   */
  blackhole(serverGiveUpMs: number): void {
    if (this.blackholed) return;
    this.blackholed = true;
    this.onBlackhole(this);
    this.downstream.unpipe(this.upstream);
    this.upstream.unpipe(this.downstream);
    // Keep reading so nothing backs up, and drop what arrives.
    this.downstream.on("data", () => undefined);
    this.upstream.on("data", () => undefined);
    this.downstream.resume();
    this.upstream.resume();
    this.giveUpTimer = setTimeout(() => this.destroy(), serverGiveUpMs);
  }

  /** Resets both sides at once. */
  reset(): void {
    for (const socket of [this.downstream, this.upstream]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
    this.destroy();
  }

  destroy(): void {
    clearTimeout(this.giveUpTimer);
    this.downstream.destroy();
    this.upstream.destroy();
    this.onGone(this);
  }
}

/** The proxy: listens on an ephemeral loopback port and forwards to the server. */
export class FaultProxy {
  private readonly server: net.Server;
  private readonly links = new Map<number, ProxyLink>();
  /** Links cut silently whose server side is not closed yet. */
  private readonly deadLinks = new Set<ProxyLink>();
  port = 0;

  private constructor(private readonly targetHost: string, private readonly targetPort: number) {
    this.server = net.createServer({ noDelay: true }, (downstream) => this.accept(downstream));
  }

  /** Starts a proxy to host:port. */
  static async start(targetHost: string, targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
        proxy.server.off("error", reject);
        resolve();
      });
    });
    // After listening, a failed accept (EMFILE under churn) fails that client, not the run.
    proxy.server.on("error", () => undefined);
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** The link of the client whose local port is `clientPort`. */
  linkFor(clientPort: number): ProxyLink | undefined {
    return this.links.get(clientPort);
  }

  get openLinks(): number {
    return this.links.size;
  }

  /**
   * Resolves once every silently cut link has been closed on the server side (or after
   * `timeoutMs`): until then the server legitimately holds those sockets, and settling
   * must not judge them.
   */
  async drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.deadLinks.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Closes the listener and every link. */
  async close(): Promise<void> {
    // Dead links whose client port was reused are only in deadLinks: close those too.
    for (const link of new Set([...this.links.values(), ...this.deadLinks])) link.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(downstream: net.Socket): void {
    const clientPort = downstream.remotePort ?? 0;
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort, noDelay: true });
    const link = new ProxyLink(
      downstream,
      upstream,
      (gone) => {
        this.deadLinks.delete(gone);
        if (this.links.get(clientPort) === gone) this.links.delete(clientPort);
      },
      (cut) => this.deadLinks.add(cut),
    );
    this.links.set(clientPort, link);
  }
}
