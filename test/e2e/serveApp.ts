import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "inngest/node";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { waitForAppSync } from "../helpers/index.js";

type ServeOptions = Parameters<typeof createServer>[0] & {
  /** Sees every request the app receives (e.g. to count execution requests). */
  onRequest?: (req: IncomingMessage) => void;
};

/** Serves an app built with the official SDK on a random loopback port: its URL and a stop. */
export async function serveApp(opts: ServeOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const { onRequest, ...serve } = opts;
  const server = createServer(serve);
  if (onRequest) server.on("request", onRequest);
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

/**
 * Serves the app and starts `tideline dev` on `port` (the port the client's baseUrl names) with
 * the app synced on start, as `tideline dev -u <url>` does; waits until the sync is visible.
 */
export async function serveOnDev(
  opts: ServeOptions & { port: number; prefix: string; env?: Record<string, string> },
): Promise<{ url: string; stop(): Promise<void> }> {
  const { port, prefix, env, ...serve } = opts;
  const app = await serveApp(serve);
  const runtime = await startLocalRuntime({
    port,
    prefix,
    appUrls: [app.url],
    log: silentLogger,
    env: { TIDELINE_RETRY_INTERVAL_SECONDS: "1", ...env },
  });
  await waitForAppSync(runtime.url);
  return {
    url: runtime.url,
    stop: async () => {
      await app.stop();
      await runtime.stop();
    },
  };
}
