// Socket.IO wiring: one connection handler that checks payloads, guards against throws and acks.
import type { Server, Socket } from "socket.io";
import { ClientEvent } from "../protocol.js";
import type { AckError, LeakMode } from "../protocol.js";
import { ackError } from "./interview.js";
import type { InterviewFlow, Reply } from "./interview.js";
import { questionBank } from "./questions.js";
import { TokenBucket } from "./rate-limit.js";
import type { RateLimit } from "./rate-limit.js";
import { checkSessionRef, checkStart, checkSubmit } from "./validate.js";
import type { Checked } from "./validate.js";

/** Marks which server added a questionBank listener, so close() removes only its own. */
const OWNER = Symbol("leakcheck.server");
type BankListener = ((version: number) => void) & { [OWNER]?: object };

const CLIENT_EVENTS: readonly string[] = Object.values(ClientEvent);

export interface HandlerOptions {
  leak: LeakMode;
  /** Marks this server's questionBank listeners (see removeBankListeners). */
  owner: object;
  /** Per-connection limit; undefined = none. */
  rateLimit: RateLimit | undefined;
  logError: (line: string) => void;
}

/** Registers the interview events on every new connection of `io`. */
export function attachHandlers(io: Server, flow: InterviewFlow, { leak, owner, rateLimit, logError }: HandlerOptions): void {
  io.on("connection", (socket) => {
    admitEvents(socket, rateLimit, logError);
    const client = {
      socketId: socket.id,
      address: socket.handshake.address,
      userAgent: String(socket.handshake.headers["user-agent"] ?? ""),
    };
    const onBankUpdated = subscribeToBank(socket, owner);

    on(socket, ClientEvent.startInterview, checkStart, (req, reply) => flow.start(client, req, reply), logError);
    on(socket, ClientEvent.submitAnswer, checkSubmit, (req, reply) => flow.submit(socket.id, req, reply), logError);
    on(socket, ClientEvent.endInterview, checkSessionRef, (req, reply) => flow.end(socket.id, req, reply), logError);
    on(socket, ClientEvent.resumeInterview, checkSessionRef, (req, reply) => flow.resume(socket.id, req, reply), logError);

    socket.on("disconnect", () => {
      guard(() => flow.disconnected(socket.id), logError);
      // `listeners` mode: the listener (and the socket in its closure) stays on the process-wide bank forever.
      if (leak !== "listeners") questionBank.off("updated", onBankUpdated);
    });
  });
}

/** Removes the questionBank listeners a server added (the `listeners` leak lasts until its server closes). */
export function removeBankListeners(owner: object): void {
  for (const listener of questionBank.listeners("updated") as BankListener[]) {
    if (listener[OWNER] === owner) questionBank.off("updated", listener);
  }
}

// Every connection keeps the bank version it saw, refreshed when the bank changes.
function subscribeToBank(socket: Socket, owner: object): BankListener {
  socket.data.bankVersion = questionBank.version;
  const listener: BankListener = (version: number) => {
    socket.data.bankVersion = version;
  };
  listener[OWNER] = owner;
  questionBank.on("updated", listener);
  return listener;
}

// Runs before any listener, for every event (unknown names too): the rate limit, then the name.
// The bucket lives in this closure, which the socket's middleware list holds: it goes with the socket.
function admitEvents(socket: Socket, rateLimit: RateLimit | undefined, logError: (line: string) => void): void {
  const bucket = rateLimit ? new TokenBucket(rateLimit) : undefined;
  socket.use((packet, next) => {
    const [name] = packet;
    const last = packet.at(-1);
    const ack = packet.length > 1 && typeof last === "function" ? (last as (reply: unknown) => void) : undefined;
    const refuse = (error: AckError): void => {
      if (ack) guard(() => ack(error), logError);
    };
    const admission = bucket?.take() ?? "ok";
    if (admission !== "ok" && rateLimit) {
      refuse(ackError("rate-limited", `${eventName(name)}: too many events, slow down; at most ${rateLimit.eventsPerSecond} events per second per connection (bursts of ${rateLimit.burst})`));
      // Socket.IO sends the ack before the disconnect packet, so the client learns why it was dropped.
      if (admission === "disconnect") socket.disconnect(true);
      return;
    }
    if (typeof name !== "string" || !CLIENT_EVENTS.includes(name)) {
      return refuse(ackError("bad-request", `unknown event ${eventName(name)}; the events are ${CLIENT_EVENTS.join(", ")}`));
    }
    next();
  });
}

// An event name for a message: a client may send any string (or a number) as the name.
function eventName(name: unknown): string {
  if (typeof name === "string") return CLIENT_EVENTS.includes(name) ? name : name.length <= 40 ? JSON.stringify(name) : `(a name of ${name.length} characters)`;
  return `(a ${typeof name} as the name)`;
}

// One event: find the ack among the arguments, check the payload, run the handler, never throw.
function on<T, A extends object>(
  socket: Socket,
  event: string,
  check: (payload: unknown) => Checked<T>,
  handle: (req: T, reply: Reply<A | AckError>) => void,
  logError: (line: string) => void,
): void {
  socket.on(event, (...args: unknown[]) => {
    // A client may emit without an ack (processed, nothing acked) or with an ack and no payload.
    const last = args.at(-1);
    const ack = typeof last === "function" ? (last as (reply: unknown) => void) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    let replied = false;
    const reply = (value: A | AckError): void => {
      if (replied) return;
      replied = true;
      if (ack) guard(() => ack(value), logError);
    };
    guard(() => {
      const checked = check(payload);
      if (!checked.ok) return reply(ackError("bad-request", `${event}: ${checked.message}`));
      handle(checked.value, reply);
    }, (line) => {
      logError(`${event}: ${line}`);
      reply(ackError("internal", "the server failed to handle this request; it has been logged"));
    });
  });
}

// Runs fn; an exception is reported rather than allowed to reach the event loop and kill the server.
function guard(fn: () => void, onError: (line: string) => void): void {
  try {
    fn();
  } catch (error) {
    onError(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
