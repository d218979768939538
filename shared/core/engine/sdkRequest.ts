import type { Json } from "../../domain/json.js";
import {
  type FunctionRecord,
  type Job,
  jobId,
  type RunRecord,
  type StepRecord,
} from "../../domain/schemas.js";
import { LIMITS } from "../../protocol/constants.js";

/** What a request tells the SDK beyond the run's state. */
export interface RequestOptions {
  /**
   * Offer async checkpointing (PROTOCOL 6.1): `ctx.fn_id` and `ctx.qi_id` (the job's id, echoed in
   * every checkpoint so a stale one is refused). Without them the SDK runs one step per request.
   */
  checkpoint: boolean;
  /** True while planned steps of a fan-out are pending: the SDK must plan, not run, new steps. */
  planOnly: boolean;
}

/**
 * The execution request body of PROTOCOL.md 4.4. Every field is always present: the Python SDK
 * validates strictly. Past 4 MiB the events and steps are left out and `use_api` asks the SDK to
 * fetch them (`GET /v0/runs/{runId}/batch` and `/actions`).
 */
export function buildSdkRequest(
  run: RunRecord,
  steps: StepRecord[],
  job: Job,
  fn: FunctionRecord,
  opts: RequestOptions = { checkpoint: false, planOnly: false },
): Json {
  const memo: Record<string, Json> = {};
  for (const s of steps) memo[s.stepId] = s.value;
  const events: Json[] = run.events.map((e) => ({ ...e }));
  const body = (useApi: boolean): Json => ({
    ctx: {
      attempt: job.attempt,
      disable_immediate_execution: opts.planOnly,
      max_attempts: fn.retries + 1,
      run_id: run.runId,
      stack: { stack: run.stack, current: run.stack.length },
      use_api: useApi,
      ...(opts.checkpoint ? { fn_id: fn.internalId, qi_id: jobId(job) } : {}),
    },
    // Defers already recorded, so the SDK does not send them again (PROTOCOL 6.4); never null.
    defers: Object.fromEntries(
      Object.entries(run.defers ?? {}).map(([id, d]) => [id, { abortable: d.aborted !== true }]),
    ),
    event: events[0] ?? null,
    events: useApi ? [] : events,
    steps: useApi ? {} : memo,
    use_api: useApi,
    version: run.requestVersion,
  });
  const full = body(false);
  return Buffer.byteLength(JSON.stringify(full), "utf8") > LIMITS.sdkRequestMaxBytes ? body(true) : full;
}

/** The function's registered URL with `stepId` replaced (PROTOCOL 4.1). */
export function stepUrl(fnUrl: string, stepId: string): string {
  const url = new URL(fnUrl);
  url.searchParams.set("stepId", stepId);
  return url.toString();
}
