// --url https://… end to end: readiness, the metrics check and the sessions all trust the
// server's self-signed certificate through --ca (or --insecure), and refuse it without.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSioApp, type SioApp } from "../fixtures/sio-app.js";
import { errorLines, FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
let dir: string;
let app: SioApp;
let caFile: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-https-"));
  // openssl ships with the machine image; node:crypto cannot self-sign a certificate.
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
  ], { stdio: "ignore" });
  caFile = path.join(dir, "cert.pem");
  app = await startSioApp({ tls: { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(caFile, "utf8") } });
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
  removeDir(reportDir);
});

const scenario = path.join(FIXTURES, "echo-scenario.mjs");
const run = (...extra: string[]) =>
  runCli(["run", scenario, "--url", app.url, "--report-dir", reportDir, "--quiet", "--json", "--ready-timeout", "3s", ...extra], { timeoutMs: 60_000 });

describe("an https server attached with --url", () => {
  it("passes with --ca, every session through TLS", async () => {
    const result = await run("--ca", caFile);
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
