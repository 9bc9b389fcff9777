// Headless Chromium driven over the DevTools protocol on a pipe (no port, no driver
// package): open pages, see what the browser made of them, take screenshots. The browser
// comes from npm, so `npm install` is all the tests need (issue 13): the Chromium build
// shipped inside the @sparticuz/chromium dev dependency, unpacked once into
// node_modules/.cache. $CHROMIUM, when set, names another binary.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { createBrotliDecompress } from "node:zlib";
import { ROOT } from "../../support/paths.js";

export interface ChromiumBinary {
  path: string;
  /** Extra environment: the shared libraries the package ships, where this machine lacks some. */
  env: Record<string, string>;
}

/** The Chromium to run: $CHROMIUM, else the package's build, unpacked on first use. */
export async function findChromium(): Promise<ChromiumBinary> {
  if (process.env.CHROMIUM) return { path: process.env.CHROMIUM, env: {} };
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  } catch {
    throw new Error("no Chromium: the dev dependency @sparticuz/chromium is not installed; run npm install (or set CHROMIUM to a Chromium binary)");
  }
  const packageDir = path.resolve(path.dirname(entry), "../..");
  const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  const dir = path.join(ROOT, "node_modules/.cache/leakcheck-chromium", version);
  const binary = path.join(dir, "chromium");
  await unpack(path.join(packageDir, "bin/chromium.br"), binary, 0o755);
  // The build is linked against NSS and expat, which a Debian or Ubuntu machine has; the
  // package ships them for machines that do not (its Amazon Linux set): used only then.
  const missing = (spawnSync("ldd", [binary], { encoding: "utf8" }).stdout ?? "").split("\n").filter((line) => line.includes("not found"));
  if (missing.length === 0) return { path: binary, env: {} };
  const libs = path.join(dir, "lib");
  if (!existsSync(libs)) {
    const tar = path.join(dir, "al2023.tar");
    await unpack(path.join(packageDir, "bin/al2023.tar.br"), tar, 0o644);
    const staging = mkdtempSync(path.join(dir, ".lib-"));
    const untar = spawnSync("tar", ["-xf", tar, "-C", staging], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`could not unpack Chromium's libraries: ${untar.stderr.trim()}`);
    try {
      renameSync(path.join(staging, "lib"), libs);
    } catch {
      // another test got there first
    }
    rmSync(staging, { recursive: true, force: true });
    rmSync(tar, { force: true });
  }
  return { path: binary, env: { LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") } };
}

/** Decompresses a .br file once: into a partial file beside the target, renamed when whole (tests may race). */
async function unpack(source: string, target: string, mode: number): Promise<void> {
  if (existsSync(target)) return;
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    await pipeline(createReadStream(source), createBrotliDecompress(), createWriteStream(partial, { mode }));
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

export interface PageVisit {
  /** Requests the page made to anything but file: and data: URLs. */
  networkRequests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  evaluate<T>(expression: string): Promise<T>;
  screenshot(file: string): Promise<void>;
}

export interface Browser {
  /** Opens `url` in a new tab of `width`×`height` and waits for its load event. */
  open(url: string, size: { width: number; height: number }): Promise<PageVisit>;
  close(): Promise<void>;
}

/** Starts headless Chromium; the caller closes it (afterAll), which also removes its profile. */
export async function launchChromium(): Promise<Browser> {
  const binary = await findChromium();
  const profile = mkdtempSync(path.join(os.tmpdir(), "leakcheck-chromium-"));
  const browser = spawn(
    binary.path,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      "--remote-debugging-pipe",
      "about:blank",
    ],
    { env: { ...process.env, ...binary.env }, stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
  );
  const client = new DevTools(browser);
  return {
    async open(url, size) {
      const { targetId } = (await client.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
      const { sessionId } = (await client.send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
      const send = (method: string, params: Record<string, unknown> = {}) => client.send(method, params, sessionId);
      const networkRequests: string[] = [];
      const errors: string[] = [];
      client.onEvent(sessionId, (method, params) => {
        if (method === "Network.requestWillBeSent") {
          const requested = (params.request as { url: string }).url;
          if (!/^(file|data|about):/.test(requested)) networkRequests.push(requested);
        } else if (method === "Runtime.exceptionThrown") {
          errors.push(JSON.stringify(params.exceptionDetails));
        } else if (method === "Log.entryAdded" && (params.entry as { level: string }).level === "error") {
          errors.push((params.entry as { text: string }).text);
        }
      });
      await send("Network.enable");
      await send("Runtime.enable");
      await send("Log.enable");
      await send("Page.enable");
      await send("Emulation.setDeviceMetricsOverride", { width: size.width, height: size.height, deviceScaleFactor: 1, mobile: false });
      const loaded = client.waitForEvent("Page.loadEventFired", sessionId);
      await send("Page.navigate", { url });
      await loaded;
      return {
        networkRequests,
        errors,
        async evaluate<R>(expression: string) {
          const reply = (await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true })) as {
            result: { value: R };
            exceptionDetails?: unknown;
          };
          if (reply.exceptionDetails) throw new Error(`page script failed: ${JSON.stringify(reply.exceptionDetails)}`);
          return reply.result.value;
        },
        async screenshot(file: string) {
          const { data } = (await send("Page.captureScreenshot", { format: "png" })) as { data: string };
          writeFileSync(file, Buffer.from(data, "base64"));
        },
      };
    },
    async close() {
      await client.send("Browser.close").catch(() => undefined);
      await client.closed(5000);
      if (browser.exitCode === null) browser.kill("SIGKILL");
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The protocol over fds 3 (to the browser) and 4 (from it): JSON messages ended by a NUL byte. */
class DevTools {
  private readonly listeners = new Map<string, (method: string, params: Record<string, unknown>) => void>();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: { method: string; sessionId?: string; resolve: () => void }[] = [];
  private buffer = "";
  private readonly decoder = new StringDecoder("utf8");
  private readonly output: Writable;
  private stderr = "";

  constructor(private readonly browser: ChildProcess) {
    this.output = browser.stdio[3] as Writable;
    const input = browser.stdio[4] as Readable;
    input.on("data", (chunk: Buffer) => this.receive(this.decoder.write(chunk)));
    browser.stdio[2]?.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    browser.on("exit", () => {
      for (const request of this.pending.values()) request.reject(new Error(`chromium exited: ${this.stderr.trim().split("\n").at(-1) ?? ""}`));
      this.pending.clear();
    });
    this.output.on("error", () => undefined);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.output.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** Events of one page (its session). */
  onEvent(sessionId: string, listener: (method: string, params: Record<string, unknown>) => void): void {
    this.listeners.set(sessionId, listener);
  }

  waitForEvent(method: string, sessionId?: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ method, sessionId, resolve }));
  }

  closed(timeoutMs: number): Promise<void> {
    if (this.browser.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.browser.once("exit", () => (clearTimeout(timer), resolve()));
    });
  }

  private receive(text: string): void {
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf("\0")) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as {
        id?: number;
        method?: string;
        params?: Record<string, unknown>;
        sessionId?: string;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const request = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) request?.reject(new Error(message.error.message));
        else request?.resolve(message.result ?? {});
      } else if (message.method) {
        if (message.sessionId) this.listeners.get(message.sessionId)?.(message.method, message.params ?? {});
        for (const waiter of [...this.waiters]) {
          if (waiter.method === message.method && (!waiter.sessionId || waiter.sessionId === message.sessionId)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      }
    }
  }
}
