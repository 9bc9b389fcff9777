// Headless Chromium driven over the DevTools protocol on a pipe (no port, no extra
// package): open pages, see what the browser made of them, take screenshots.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** The Chromium binary: $CHROMIUM, else Debian's `chromium` on the PATH (.ci/run installs it). */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ["chromium", "chromium-browser"]) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (found) return found;
  }
  return undefined;
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
  const binary = findChromium();
  if (!binary) throw new Error("no chromium found: apt-get install -y chromium (.ci/run does), or set CHROMIUM to a Chromium binary");
  const profile = mkdtempSync(path.join(os.tmpdir(), "leakcheck-chromium-"));
  const browser = spawn(
    binary,
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
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
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
