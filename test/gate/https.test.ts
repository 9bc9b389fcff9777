// --url https://… end to end: readiness, the metrics check and the sessions all trust the
// server's self-signed certificate through --ca (or --insecure), and refuse it without.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSioApp, type SioApp } from "../fixtures/sio-app.js";
import { errorLines, FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";
import { selfSignedCertificate, type SelfSigned } from "../support/tls.js";

const reportDir = tempReportDir();
let tls: SelfSigned;
let app: SioApp;

beforeAll(async () => {
  tls = selfSignedCertificate();
  app = await startSioApp({ tls: { key: tls.key, cert: tls.cert } });
});
afterAll(async () => {
  await app?.close();
  tls?.remove();
  removeDir(reportDir);
});

const scenario = path.join(FIXTURES, "echo-scenario.mjs");
const run = (...extra: string[]) =>
  runCli(["run", scenario, "--url", app.url, "--report-dir", reportDir, "--quiet", "--json", "--ready-timeout", "3s", ...extra], { timeoutMs: 60_000 });

describe("an https server attached with --url", () => {
  it("passes with --ca, every session through TLS", async () => {
    const result = await run("--ca", tls.certFile);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.scenarios[0].load).toMatchObject({ finished: 25, failed: 0 }) // 5 warm-up + 20;
  });

  it("passes with --insecure", async () => {
    const result = await run("--insecure");
    expect(result.code, result.stderr).toBe(0);
  });

  it("without --ca the certificate is refused: exit 3 in one line, naming readiness", async () => {
    const result = await run();
    expect(result.code, result.stderr).toBe(3);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/self[- ]signed certificate/);
  });
});
