// The lean client (the interview helper's path, lean-client.ts) must behave as socket.io-client
// for everything it is used for: the same calls, against the same real server, give the same
// results, errors and server-side observations. Each case runs on both.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type SessionClient } from "../../src/load/client.js";
import { openClient, openLeanClient, type ConnectEnv } from "../../src/load/connect.js";
import { FaultProxy } from "../../src/load/fault-proxy.js";
import { AckTimeoutError, ClientClosedError, ConnectFailedError, WaitTimeoutError } from "../../src/load/failures.js";
import { LeanClient } from "../../src/load/lean-client.js";
import { LoadStats } from "../../src/load/stats.js";
import { CHAT_TOKEN, startSioApp, type SioApp } from "../fixtures/sio-app.js";

let app: SioApp;
let proxy: FaultProxy | undefined;
const open: SessionClient[] = [];

beforeAll(async () => {
  app = await startSioApp({ pingMs: 300 });
});
afterAll(async () => {
  for (const client of open) client.disconnect();
  await proxy?.close();
  await app.close();
});

function env(extra: Partial<ConnectEnv> = {}): ConnectEnv {
  return {
    baseUrl: app.url,
    socketIoPath: "/socket.io/",
    connectTimeoutMs: 5000,
    ackTimeoutMs: 2000,
    stats: new LoadStats(),
    tls: { insecure: false },
    proxy: async () => (proxy ??= await FaultProxy.start("127.0.0.1", app.port)),
    ...extra,
  };
}

const implementations = [
  { name: "socket.io-client", open: openClient, kind: Client },
  { name: "lean", open: openLeanClient, kind: LeanClient },
] as const;

describe.each(implementations)("$name", ({ open: openWith, kind }) => {
  const connect = async (options: unknown = {}, connectEnv = env()) => {
    const client = await openWith(options, connectEnv, new AbortController().signal);
    open.push(client);
    expect(client).toBeInstanceOf(kind);
    return client;
  };

  it("acks: the first value, several arguments, JSON payloads", async () => {
    const client = await connect();
    expect(await client.emitWithAck("sum", 1, 2, 39)).toBe(42);
    expect(await client.emitWithAck("echo", { nested: { list: [1, "two", null] } })).toEqual({ nested: { list: [1, "two", null] } });
    expect(await client.emitWithAck("whoami")).toMatchObject({ namespace: "/", connectedOver: "websocket" });
  });

  it("events: on and waitFor see every argument; the filter picks", async () => {
    const client = await connect();
    const seen: unknown[][] = [];
    client.on("pong-text", (...args: unknown[]) => seen.push(args));
    const second = client.waitFor("pong-text", 2000, (label: string, length: number) => label === "bb" && length === 2);
    client.emit("ping-text", "a").emit("ping-text", "bb");
    expect(await second).toBe("bb");
    expect(seen).toEqual([["a", 1], ["bb", 2]]);
  });

  it("timeouts name the event and the wait", async () => {
    const client = await connect({}, env({ ackTimeoutMs: 150 }));
    const error = await client.emitWithAck("no-ack").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AckTimeoutError);
    expect((error as Error).message).toBe('no ack for "no-ack" within 150 ms');
    const waited = await client.waitFor("never", 100).catch((caught: unknown) => caught);
    expect(waited).toBeInstanceOf(WaitTimeoutError);
    expect((waited as Error).message).toBe('no "never" event within 100 ms');
  });

  it("closing rejects what waits, and what comes after", async () => {
    const client = await connect();
    const pending = client.emitWithAck("no-ack");
    const waiting = client.waitFor("never", 5000);
    client.vanish("reset");
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    await expect(pending).rejects.toThrow(/^client closed \(.+\) while waiting for the ack of "no-ack"$/);
    await expect(waiting).rejects.toThrow(/^client closed \(.+\) while waiting for "never"$/);
    await expect(client.emitWithAck("sum", 1)).rejects.toBeInstanceOf(ClientClosedError);
    expect(client.connected).toBe(false);
  });

  it("counts clients, acks and their latency", async () => {
    const connectEnv = env();
    const first = await connect({}, connectEnv);
    const second = await connect({}, connectEnv);
    await first.emitWithAck("sum", 1);
    await second.emitWithAck("sum", 2);
    expect(connectEnv.stats).toMatchObject({ peakClients: 2, clientsConnected: 2, acks: 2 });
    expect(connectEnv.stats.latency.count).toBe(2);
    first.disconnect();
    expect(await first.closed()).toBe("io client disconnect");
    expect(connectEnv.stats.clientsConnected).toBe(1);
  });

  const leaving: [string, (client: SessionClient) => void, RegExp][] = [
    ["disconnect()", (client) => client.disconnect(), /^client namespace disconnect$/],
    ['vanish("close")', (client) => client.vanish("close"), /^transport close$/],
    ['vanish("end")', (client) => client.vanish("end"), /^transport close$/],
    ['vanish("reset")', (client) => client.vanish("reset"), /^transport (error|close)$/],
  ];
  for (const [label, leave, reason] of leaving) {
    it(`${label}: the server sees ${reason.source}`, async () => {
      const client = await connect();
      await client.emitWithAck("sum", 0);
      const seen = app.nextDisconnect();
      leave(client);
      expect(await seen).toMatch(reason);
      await client.closed();
    });
  }

  it("dropNetwork through the proxy: silent (both sides time out on pings), and reset", async () => {
    const silent = await connect({ via: "proxy" });
    await silent.emitWithAck("sum", 0);
    const seen = app.nextDisconnect();
    silent.dropNetwork("silent");
    expect(await silent.closed()).toBe("ping timeout");
    expect(await seen).toBe("ping timeout");
    const reset = await connect({ via: "proxy" });
    await reset.emitWithAck("sum", 0);
    const seenReset = app.nextDisconnect();
    reset.dropNetwork("reset");
    expect(await reset.closed()).toMatch(/^transport (error|close)$/);
    expect(await seenReset).toMatch(/^transport (error|close)$/);
  });

  it("nothing listening: a failed connect naming the server", async () => {
    const gone = await startSioApp();
    await gone.close();
    const error = await openWith({}, env({ baseUrl: gone.url }), new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectFailedError);
    expect((error as Error).message).toMatch(new RegExp(`^could not connect to ${gone.url}: .*ECONNREFUSED`));
  });
});

describe("where the lean client is used", () => {
  it("only for what it is proven on: other options take socket.io-client", async () => {
    const signal = new AbortController().signal;
    const chat = await openLeanClient({ namespace: "/chat", auth: { token: CHAT_TOKEN } }, env(), signal);
    const polling = await openLeanClient({ transports: ["polling", "websocket"] }, env(), signal);
    const headers = await openLeanClient({ headers: { "x-team": "blue" } }, env(), signal);
    open.push(chat, polling, headers);
    for (const client of [chat, polling, headers]) expect(client).toBeInstanceOf(Client);
    expect(await chat.emitWithAck("whoami")).toMatchObject({ namespace: "/chat" });
  });

  it("refuses binary rather than send it mangled", async () => {
    const client = await openLeanClient({}, env(), new AbortController().signal);
    open.push(client);
    expect(() => client.emitWithAck("echo", Buffer.from([1]))).toThrow(/the lean client sends no binary/);
  });
});
