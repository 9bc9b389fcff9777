// client.waitFor, for both clients: the next event whose arguments pass a filter, bounded by
// a timeout and by the client closing first.

import { ClientClosedError, WaitTimeoutError } from "./failures.js";

/** What waitForEvent needs of a client: listening to one event, and its close. */
export interface Waitable {
  listen(listener: (...args: any[]) => void): void;
  unlisten(listener: (...args: any[]) => void): void;
  /** The reason it closed, or undefined while open. */
  closeReason(): string | undefined;
  /** Calls `onClose` when the client closes; returns a function that stops that. */
  onceClosed(onClose: (reason: string) => void): () => void;
}

/** Resolves with the first argument of the next `event` whose arguments pass `filter`; rejects on timeout or close. */
export function waitForEvent(client: Waitable, event: string, timeoutMs: number, filter: (...args: any[]) => boolean): Promise<any> {
  const waiting = new Promise((resolve, reject) => {
    let stopWatchingClose = () => undefined as void;
    const done = (error: Error | undefined, value?: unknown) => {
      clearTimeout(timer);
      client.unlisten(listener);
      stopWatchingClose();
      if (error) reject(error);
      else resolve(value);
    };
    const listener = (...args: unknown[]) => {
      let match = false;
      try {
        match = filter(...args);
      } catch (error) {
        return done(error as Error);
      }
      if (match) done(undefined, args[0]);
    };
    const onClose = (reason: string) => done(new ClientClosedError(reason, `"${event}"`));
    const timer = setTimeout(() => done(new WaitTimeoutError(event, timeoutMs)), timeoutMs);
    client.listen(listener);
    const closed = client.closeReason();
    if (closed !== undefined) onClose(closed);
    else stopWatchingClose = client.onceClosed(onClose);
  });
  // A scenario often sets up a wait before the steps that may fail; if one does, nobody
  // awaits this promise, and its rejection must not crash the run.
  waiting.catch(() => undefined);
  return waiting;
}
