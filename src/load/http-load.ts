// HTTP load from autocannon on the server's endpoints while the sockets churn,
// at a bounded rate on a few connections, stopped when the rounds end.

import autocannon from "autocannon";
import type { LoadStats } from "./stats.js";

export interface HttpLoad {
  stop(): Promise<void>;
}

/** Starts GET load on `paths` of `baseUrl` at about `rate` requests per second. */
export function startHttpLoad(baseUrl: string, paths: string[], stats: LoadStats, rate = 200): HttpLoad {
  const instance = autocannon(
    {
      url: baseUrl,
      connections: 4,
      overallRate: rate,
      duration: 3600, // stopped explicitly; the bound is the run's own
      requests: paths.map((path) => ({ method: "GET" as const, path })),
    },
    () => undefined,
  );
  instance.on("response", () => {
    stats.httpRequests++;
  });
  const finished = new Promise<void>((resolve) => instance.once("done", () => resolve()));
  return {
    async stop() {
      instance.stop();
      await finished;
    },
  };
}
