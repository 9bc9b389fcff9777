// Ports on loopback: a free one for a spawned server, and a clear error when one is taken.

import net from "node:net";
import { RunError } from "../errors.js";

/** Listens on `port` (0 = any) of `host` for a moment and returns the port it got. */
export function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") {
        reject(
          new RunError(
            `port ${port} is already in use on ${host}: choose another with --port, or leave --port out to use a free one`,
          ),
        );
      } else reject(error);
    });
    server.listen(port, host, () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}
