// The one client, against a real Socket.IO app in this process: each connect option seen
// from the server's side, binary and several arguments, acks timed and bounded, TLS with a
// certificate made here, and every way a client goes away as the server observes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import type { Client } from "../../src/load/client.js";
import { openClient, type ConnectEnv } from "../../src/load/connect.js";
import { FaultProxy } from "../../src/load/fault-proxy.js";
import { AckTimeoutError, ClientClosedError, ConnectFailedError, ConnectRefusedError, WaitTimeoutError } from "../../src/load/failures.js";
import { LoadStats } from "../../src/load/stats.js";
import { CHAT_TOKEN, startSioApp, type SioApp } from "../fixtures/sio-app.js";
import { selfSignedCertificate, type SelfSigned } from "../support/tls.js";

let app: SioApp;
let proxy: FaultProxy | undefined;
const open: Client[] = [];

function env(url: string, extra: Partial<ConnectEnv> = {}): ConnectEnv {
  return {
    baseUrl: url,
    socketIoPath: "/socket.io/",
    connectTimeoutMs: 5000,
    ackTimeoutMs: 2000,
    stats: new LoadStats(),
    tls: { insecure: false },
    proxy: async () => (proxy ??= await FaultProxy.start("127.0.0.1", app.port)),
    ...extra,
  };
}

async function connect(options: unknown, connectEnv = env(app.url)): Promise<Client> {
  const client = await openClient(options, connectEnv, new AbortController().signal);
  open.push(client);
  return client;
}

beforeAll(async () => {
  app = await startSioApp({ pingMs: 300 });
});
afterAll(async () => {
  for (const client of open) client.disconnect();
  await proxy?.close();
  await app.close();
});

describe("ctx.connect options, seen by the server", () => {
  it("namespace: /chat with a token connects there; an unknown namespace is refused with the server's words", async () => {
    const client = await connect({ namespace: "/chat", auth: { token: CHAT_TOKEN } });
    expect(await client.emitWithAck("whoami")).toMatchObject({ namespace: "/chat", auth: { token: CHAT_TOKEN } });
    const refused = connect({ namespace: "/nope" });
    await expect(refused).rejects.toBeInstanceOf(ConnectRefusedError);
    await expect(refused).rejects.toThrow(`the server refused the connection to ${app.url}/nope: Invalid namespace`);
  });

  it("auth: a wrong token is refused with the middleware's message; none at all too", async () => {
    await expect(connect({ namespace: "/chat", auth: { token: "wrong" } })).rejects.toThrow(/refused the connection to .*\/chat: invalid token$/);
    await expect(connect({ namespace: "/chat" })).rejects.toBeInstanceOf(ConnectRefusedError);
  });

  it("query and headers reach the handshake", async () => {
    const client = await connect({ query: { room: "r1" }, headers: { "x-team": "blue" } });
    expect(await client.emitWithAck("whoami")).toMatchObject({ query: { room: "r1" }, team: "blue", transport: "websocket" });
  });

  it("transports [polling, websocket]: connects by polling, then upgrades", async () => {
    const client = await connect({ transports: ["polling", "websocket"], headers: { "x-team": "red" } });
    expect(await client.emitWithAck("whoami")).toMatchObject({ connectedOver: "polling", team: "red" });
    const engine = client.socket.io.engine;
    if (engine.transport.name !== "websocket") await new Promise((resolve) => engine.once("upgrade", resolve));
    expect(await client.emitWithAck("whoami")).toMatchObject({ connectedOver: "polling", transport: "websocket" });
    // The default: WebSocket from the start.
    const direct = await connect({});
    expect(await direct.emitWithAck("whoami")).toMatchObject({ connectedOver: "websocket" });
  });

  it("an unknown option, or a bad value, is a usage error naming what is allowed", async () => {
    await expect(connect({ namepsace: "/chat" })).rejects.toThrow(UsageError);
    await expect(connect({ namepsace: "/chat" })).rejects.toThrow('ctx.connect(): unknown option "namepsace": the options are namespace, auth, query, headers, path, transports, via');
    await expect(connect({ namespace: "chat" })).rejects.toThrow(/namespace must be a string starting with \/, like "\/chat", got "chat"/);
    await expect(connect({ transports: ["carrier-pigeon"] })).rejects.toThrow(/transports must be/);
  });

  it("nothing listening: a failed connect naming the cause", async () => {
    const closed = await startSioApp();
    const url = closed.url;
    await closed.close();
    await expect(connect({}, env(url))).rejects.toThrow(ConnectFailedError);
    await expect(connect({}, env(url))).rejects.toThrow(/could not connect to http:\/\/127\.0\.0\.1:\d+: websocket error \(.*ECONNREFUSED.*\)/);
  });
});

describe("the client", () => {
  it("binary payloads and several arguments, both ways", async () => {
    const client = await connect({});
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const echoed = await client.emitWithAck("echo", bytes);
    expect(Buffer.isBuffer(echoed) && echoed.equals(bytes)).toBe(true);
    expect(await client.emitWithAck("sum", 1, 2, 39)).toBe(42);
    const pong = client.waitFor("pong", 2000, (label: string, data: Buffer) => label === "b" && data.length === 3);
    client.emit("ping-me", "a").emit("ping-me", "b");
    expect(await pong).toBe("b");
  });

  it("times every ack and counts the client in the load figures", async () => {
    const connectEnv = env(app.url);
    const first = await connect({}, connectEnv);
    const second = await connect({}, connectEnv);
    await first.emitWithAck("sum", 1);
    await second.emitWithAck("sum", 2);
    expect(connectEnv.stats.peakClients).toBe(2);
    expect(connectEnv.stats.acks).toBe(2);
    expect(connectEnv.stats.latency.count).toBe(2);
    first.disconnect();
    await first.closed();
    expect(connectEnv.stats.clientsConnected).toBe(1);
  });

  it("emitWithAckAll resolves with every argument of the ack, timed and counted, bounded by --ack-timeout", async () => {
    const connectEnv = env(app.url, { ackTimeoutMs: 200 });
    const client = await connect({}, connectEnv);
    expect(await client.emitWithAck("lookup", "k")).toBeNull();
    const [error, value, bytes] = await client.emitWithAckAll("lookup", "k");
    expect(error).toBeNull();
    expect(value).toBe("value of k");
    expect(Buffer.isBuffer(bytes) && bytes.equals(Buffer.from([7, 8]))).toBe(true);
    expect(await client.emitWithAckAll("sum", 1, 2)).toEqual([3]);
    expect(connectEnv.stats.acks).toBe(3);
    expect(connectEnv.stats.latency.count).toBe(3);
    await expect(client.emitWithAckAll("no-ack")).rejects.toThrow('no ack for "no-ack" within 200 ms');
  });

  it("no ack within --ack-timeout rejects naming the event and the wait; waitFor names its own", async () => {
    const client = await connect({}, env(app.url, { ackTimeoutMs: 200 }));
    const started = Date.now();
    const error = await client.emitWithAck("no-ack", { x: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AckTimeoutError);
    expect((error as Error).message).toBe('no ack for "no-ack" within 200 ms');
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(client.waitFor("never", 100)).rejects.toThrow(WaitTimeoutError);
    await expect(client.waitFor("never", 100)).rejects.toThrow('no "never" event within 100 ms');
  });

  it("an ack pending when the client closes rejects at once", async () => {
    const client = await connect({});
    const pending = client.emitWithAck("no-ack");
    client.vanish("reset");
    await expect(pending).rejects.toThrow(ClientClosedError);
    await expect(client.emitWithAck("sum", 1)).rejects.toThrow(/client closed/);
  });
});

describe("going away", () => {
  // How the server sees each way of leaving is the conformance test's, on both clients.
  it("dropNetwork on a direct client says it needs the proxy", async () => {
    const client = await connect({});
    expect(() => client.dropNetwork("silent")).toThrow('dropNetwork needs a client connected with ctx.connect({ via: "proxy" })');
  });
});

describe("TLS with a self-signed certificate made here", () => {
  let tls: SelfSigned;
  let secure: SioApp;
  let cert: string;
  beforeAll(async () => {
    tls = selfSignedCertificate();
    cert = tls.cert;
    secure = await startSioApp({ tls: { key: tls.key, cert } });
  });
  afterAll(async () => {
    await secure?.close();
    tls?.remove();
  });

  it("https: with --ca it connects (WebSocket and polling); without, the certificate is refused by name; --insecure accepts it", async () => {
    expect(secure.url).toMatch(/^https:/);
    const trusted = await connect({}, env(secure.url, { tls: { ca: cert, insecure: false } }));
    expect(await trusted.emitWithAck("sum", 2, 3)).toBe(5);
    const polling = await connect({ transports: ["polling"] }, env(secure.url, { tls: { ca: cert, insecure: false } }));
    expect(await polling.emitWithAck("whoami")).toMatchObject({ connectedOver: "polling", transport: "polling" });
    await expect(connect({}, env(secure.url))).rejects.toThrow(/could not connect to https:\/\/127\.0\.0\.1:\d+: websocket error \(self[- ]signed certificate\)/);
    const insecure = await connect({}, env(secure.url, { tls: { insecure: true } }));
    expect(await insecure.emitWithAck("sum", 1)).toBe(1);
  });
});
