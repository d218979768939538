import { gqlAt } from "./gql.js";
import { waitFor } from "./waitFor.js";

/** A run as the REST API (`GET /v1/events/{id}/runs`) returns it. */
export interface RestRun {
  run_id: string;
  status: string;
  output: unknown;
  function_id: string;
  event_id: string;
  ended_at: string | null;
  run_started_at?: string;
}

/**
 * Polls `GET /v1/events/{eventId}/runs` until the event's first run has a final status.
 * (404 while the runner has not stored the event yet.)
 */
export function waitForFinalRun(
  baseUrl: string,
  eventId: string,
  opts: { headers?: Record<string, string>; timeoutMs?: number; intervalMs?: number } = {},
): Promise<RestRun> {
  return waitFor(
    async () => {
      const res = await fetch(`${baseUrl}/v1/events/${eventId}/runs`, { headers: opts.headers ?? {} });
      if (res.status !== 200) return undefined;
      const run = ((await res.json()) as { data: RestRun[] }).data[0];
      return run && run.status !== "Running" ? run : undefined;
    },
    {
      timeoutMs: opts.timeoutMs ?? 30_000,
      intervalMs: opts.intervalMs ?? 100,
      what: `a final run for event ${eventId}`,
    },
  );
}

/** The first run an event started, as `GET /v1/events/{eventId}/runs` returns it, once it exists. */
export function firstRunOf(baseUrl: string, eventId: string, timeoutMs = 20_000): Promise<RestRun> {
  return waitFor(
    async () => {
      const res = await fetch(`${baseUrl}/v1/events/${eventId}/runs`);
      if (res.status !== 200) return undefined;
      return ((await res.json()) as { data: RestRun[] }).data[0];
    },
    { timeoutMs, intervalMs: 20, what: `the run of event ${eventId}` },
  );
}

/** Waits until the run's trace shows a span named `step` WAITING (its pause is committed). */
export async function waitForStepWaiting(
  baseUrl: string,
  runId: string,
  step: string,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  await waitFor(
    async () => {
      const data = await gqlAt<{
        run: { trace: { childrenSpans: { name: string; status: string }[] } | null } | null;
      }>(
        baseUrl,
        "query ($runId: String!) { run(runID: $runId) { trace(preview: true) { childrenSpans { name status } } } }",
        { runId },
      );
      return data.run?.trace?.childrenSpans.some((s) => s.name === step && s.status === "WAITING");
    },
    {
      timeoutMs: opts.timeoutMs ?? 20_000,
      intervalMs: opts.intervalMs ?? 50,
      what: `run ${runId} waiting at ${step}`,
    },
  );
}
