import { waitFor } from "./waitFor.js";

/**
 * Waits until `GET /dev` lists at least one app. A sync writes the app record after all its
 * functions and trigger entries, so an event sent afterwards finds every function.
 */
export async function waitForAppSync(baseUrl: string, headers: Record<string, string> = {}): Promise<void> {
  await waitFor(
    async () => {
      const body: unknown = await (await fetch(`${baseUrl}/dev`, { headers })).json();
      return typeof body === "object" && body !== null && "handlers" in body && Array.isArray(body.handlers)
        ? body.handlers.length > 0
        : false;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `an app synced with ${baseUrl}` },
  );
}
