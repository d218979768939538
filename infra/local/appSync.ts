/**
 * `-u <app url>`: like the Inngest dev server, ask each app to sync by sending it `PUT <url>`; the
 * SDK then registers its functions with us. Apps often start after the server, so connection
 * failures and 5xx answers are retried with backoff until the app answers or the runtime stops.
 */
import { sleep } from "./abortableSleep.js";
import type { Logger } from "./log.js";

export interface AppSyncOptions {
  signal: AbortSignal;
  log: Logger;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export async function syncApp(url: string, opts: AppSyncOptions): Promise<boolean> {
  let delay = opts.firstDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 5000;
  let lastProblem = "";
  while (!opts.signal.aborted) {
    let problem: string;
    try {
      const res = await fetch(url, {
        method: "PUT",
        signal: AbortSignal.any([opts.signal, AbortSignal.timeout(30_000)]),
      });
      const text = await res.text();
      if (res.ok) {
        opts.log.info(`synced ${url}`);
        return true;
      }
      if (res.status < 500) {
        opts.log.warn(`sync of ${url} refused (${res.status}): ${text.slice(0, 500)}`);
        return false;
      }
      problem = `HTTP ${res.status}: ${text.slice(0, 200)}`;
    } catch (err) {
      if (opts.signal.aborted) break;
      problem =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    // Say it once per kind of problem, not on every retry.
    if (problem !== lastProblem) opts.log.warn(`cannot sync ${url} yet (${problem}); retrying`);
    lastProblem = problem;
    await sleep(delay, opts.signal);
    delay = Math.min(max, delay * 2);
  }
  return false;
}
