// Socket.IO's own counts, read inside the server by the probe, without the app's help.
// Every way an app loads socket.io on Node 20 goes through Module._load: require() from
// CJS, and `import "socket.io"` from ESM too (its wrapper.mjs imports dist/index.js, a CJS
// module, which the ESM loader loads through Module._load). Whatever copy is loaded (the
// app's own node_modules, not leakcheck's), its Server.prototype.of is wrapped: the
// constructor calls this.of("/"), so every Server instance is seen the moment it exists.

import Module from "node:module";

interface Countable {
  size: number;
}
interface SioNamespace {
  name: string;
  sockets?: Countable;
  adapter?: { rooms?: Countable; sids?: Countable };
}
interface SioServer {
  _nsps?: Map<string, SioNamespace>;
  engine?: { clientsCount?: number };
  httpServer?: unknown;
}

const PATCHED = Symbol.for("leakcheck.probe.socket.io");
// Weak: the probe must not keep a closed Server (and all it holds) alive.
const servers: WeakRef<SioServer>[] = [];

/** Does this module's exports look like socket.io's main module (a function with Server and Namespace)? */
function isSocketIo(exports: unknown): exports is { Server: { prototype: Record<string | symbol, unknown> } } {
  if (typeof exports !== "function") return false;
  const candidate = exports as unknown as { Server?: unknown; Namespace?: unknown };
  return (
    typeof candidate.Server === "function" &&
    typeof candidate.Namespace === "function" &&
    typeof (candidate.Server as { prototype?: { of?: unknown } }).prototype?.of === "function"
  );
}

function patch(exports: { Server: { prototype: Record<string | symbol, unknown> } }): void {
  const proto = exports.Server.prototype;
  if (proto[PATCHED]) return;
  const original = proto.of as (this: SioServer, ...args: unknown[]) => unknown;
  Object.defineProperty(proto, PATCHED, { value: true });
  proto.of = function patchedOf(this: SioServer, ...args: unknown[]) {
    remember(this);
    return original.apply(this, args);
  };
}

function remember(server: SioServer): void {
  for (const known of servers) if (known.deref() === server) return;
  servers.push(new WeakRef(server));
}

/** Hooks module loading so any socket.io the process loads is found. */
export function watchSocketIo(): void {
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = loader._load;
  loader._load = function patchedLoad(this: unknown, ...args: [string, unknown, boolean]) {
    const exports = original.apply(this, args);
    try {
      if (isSocketIo(exports)) patch(exports);
    } catch {
      // never let the probe break a require
    }
    return exports;
  };
}

/** The live Socket.IO Servers of this process. */
function liveServers(): SioServer[] {
  for (let i = servers.length - 1; i >= 0; i--) if (!servers[i].deref()) servers.splice(i, 1);
  return servers.map((ref) => ref.deref()).filter((server): server is SioServer => server !== undefined);
}

/** How many Socket.IO Servers this process has: a cluster worker with one but no port is fed by its primary (sticky sessions). */
export function socketIoServerCount(): number {
  return liveServers().length;
}

/**
 * The HTTP servers Socket.IO Servers are attached to, listening or not: a sticky-session
 * worker's never listens, its primary hands it each connection.
 */
export function socketIoHttpServers(): unknown[] {
  return liveServers()
    .map((server) => server.httpServer)
    .filter((httpServer) => httpServer !== undefined);
}

function sizeOf(value: Countable | undefined): number | undefined {
  return value && typeof value.size === "number" ? value.size : undefined;
}

/**
 * The counts of every live Server: per namespace its connected sockets, the rooms and
 * socket-id entries in its adapter; the engine's clients. (Not the number of namespaces:
 * never 0, it would hold up the wait for every gauge to come back to 0 after the warm-up.)
 * Names read `socket.io /chat rooms`; a second Server in the process is `socket.io#2 …`.
 */
export function socketIoGauges(): Record<string, number> {
  const gauges: Record<string, number> = {};
  let index = 0;
  for (const server of liveServers()) {
    index++;
    const prefix = index === 1 ? "socket.io" : `socket.io#${index}`;
    try {
      const namespaces = server._nsps instanceof Map ? [...server._nsps.values()] : [];
      for (const nsp of namespaces) {
        const counts: [string, number | undefined][] = [
          ["sockets", sizeOf(nsp.sockets)],
          ["rooms", sizeOf(nsp.adapter?.rooms)],
          ["socket ids", sizeOf(nsp.adapter?.sids)],
        ];
        for (const [what, value] of counts) if (value !== undefined) gauges[`${prefix} ${nsp.name} ${what}`] = value;
      }
      const clients = server.engine?.clientsCount;
      if (typeof clients === "number") gauges[`${prefix} engine clients`] = clients;
    } catch {
      // a Server shaped differently (a future major): its counts are left out
    }
  }
  return gauges;
}
