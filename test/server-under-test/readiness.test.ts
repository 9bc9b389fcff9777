// A metrics path the user named (--metrics-path, metricsPath) that the server does not
// serve: one line at once, naming the path, what came back and the fix, instead of waiting
// out --ready-timeout (a new user's `--metrics-path /wrong` waited 15 s to say "status 404").
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { hasMetricsEndpoint, readinessOf, waitReady } from "../../src/server-under-test/readiness.js";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A real HTTP server on 127.0.0.1 whose answers come from `answer`, called once per request. */
async function serve(answer: (url: string, count: number) => [number, string]): Promise<string> {
  let count = 0;
  const server = http.createServer((request, response) => {
    const [status, body] = answer(request.url ?? "/", ++count);
    response.writeHead(status, { connection: "close" }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const METRICS = JSON.stringify({ users: 0, memory: { heapUsed: 1 } });
const given = (metricsPath: string, readyPath?: string) => readinessOf({ metricsPath, metricsPathFrom: "--metrics-path", readyPath, socketIoPath: "/socket.io/" });
const never = new Promise<never>(() => undefined);

/** waitReady's error (or "ready") and how long it took, with a ready timeout of 10 s. */
async function wait(baseUrl: string, metricsPath: string, attached = false): Promise<{ outcome: unknown; ms: number }> {
  const started = Date.now();
  const outcome = await waitReady(baseUrl, given(metricsPath), 10_000, never, attached).then(
    () => "ready",
    (error: unknown) => error,
  );
  return { outcome, ms: Date.now() - started };
}

describe("a metrics path the user named", () => {
  it("answering 404 fails at once, exit 2, naming the path, the status and both fixes", async () => {
    const baseUrl = await serve(() => [404, "not found"]);
    const { outcome, ms } = await wait(baseUrl, "/wrong");
    expect(outcome).toBeInstanceOf(UsageError);
    expect((outcome as Error).message).toBe(
      `--metrics-path /wrong: GET ${baseUrl}/wrong answered 404: point --metrics-path at the server's metrics endpoint, ` +
        "or leave it out to measure without one (Socket.IO's counts and leakcheck/gauges, read by the probe)",
    );
    expect(ms).toBeLessThan(2000);
  });

  it("answering another error status, or 2xx that is not a JSON object, fails at once too", async () => {
    const failing = await serve(() => [500, "oops"]);
    expect(((await wait(failing, "/metrics")).outcome as Error).message).toMatch(/^--metrics-path \/metrics: GET \S+ answered 500: point --metrics-path/);
    const html = await serve(() => [200, "<!doctype html><html><body>the app's page</body></html>"]);
    const { outcome, ms } = await wait(html, "/metrics");
    expect(outcome).toBeInstanceOf(UsageError);
    expect((outcome as Error).message).toMatch(/^--metrics-path \/metrics: GET \S+ answered 200 with "<!doctype html><html><body>the app's pag"…, not a JSON object of counts: point/);
    expect(ms).toBeLessThan(2000);
    // Attached with --url, measuring without the endpoint needs the server's probe.
    expect(((await wait(failing, "/metrics", true)).outcome as Error).message).toMatch(/or leave it out to measure without a metrics endpoint \(attached with --url, that needs the server's probe: --probe\)$/);
  });

  it("answering 503 (not yet) is waited for, then the metrics JSON is ready", async () => {
    const baseUrl = await serve((_url, count) => (count < 3 ? [503, "starting"] : [200, METRICS]));
    expect((await wait(baseUrl, "/metrics")).outcome).toBe("ready");
  });

  it("with --ready-path, is checked once the server is ready; the default path that 404s is just no endpoint", async () => {
    const baseUrl = await serve((url) => (url === "/health" ? [200, "ok"] : [404, "not found"]));
    await waitReady(baseUrl, given("/wrong", "/health"), 10_000, never);
    await expect(hasMetricsEndpoint(baseUrl, given("/wrong", "/health"), 2000)).rejects.toThrow(/^--metrics-path \/wrong: GET \S+\/wrong answered 404: point --metrics-path/);
    const unnamed = readinessOf({ metricsPath: "/api/metrics", socketIoPath: "/socket.io/" });
    expect(await hasMetricsEndpoint(baseUrl, unnamed, 2000)).toBe(false);
    const good = await serve(() => [200, METRICS]);
    expect(await hasMetricsEndpoint(good, given("/metrics"), 2000)).toBe(true);
  });
});
