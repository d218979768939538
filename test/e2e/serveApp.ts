import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer } from "inngest/node";

type ServeOptions = Parameters<typeof createServer>[0];

/** Serves an app built with the official SDK on a random loopback port: its URL and a stop. */
export async function serveApp(opts: ServeOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer(opts);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
