import { type Json, jsonBytes } from "../../domain/json.js";
import {
  type FunctionRecord,
  type Job,
  jobId,
  type RunRecord,
  type StepRecord,
} from "../../domain/schemas.js";
import { LIMITS } from "../../protocol/constants.js";

/** The request's `steps`: every stored step's value by its hashed id (PROTOCOL 4.5). */
export function requestMemo(steps: readonly StepRecord[]): Record<string, Json> {
  const memo: Record<string, Json> = {};
  for (const s of steps) memo[s.stepId] = s.value;
  return memo;
}

/** The request's `events`: the run's triggering events, as sent. */
export function requestEvents(run: Pick<RunRecord, "events">): RunRecord["events"] {
  return run.events.map((e) => ({ ...e }));
}

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
  const memo = requestMemo(steps);
  const events: Json[] = requestEvents(run);
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
  return fitsInline(run, steps) || jsonBytes(full) <= LIMITS.sdkRequestMaxBytes ? full : body(true);
}

/** Room for what a request holds besides the step values and events: ids, keys, the context. */
const PER_STEP_OVERHEAD = 256;
const FIXED_OVERHEAD = 16 * 1024;

/**
 * Whether the request surely stays within 4 MiB, from the stored output the run keeps count of
 * (`stateBytes`), without serializing the whole state a second time (callSdk serializes it to
 * sign it). Undecided (false) when the run has no count.
 */
function fitsInline(run: RunRecord, steps: StepRecord[]): boolean {
  if (run.stateBytes === undefined && steps.length > 0) return false;
  const bound =
    (run.stateBytes ?? 0) + jsonBytes(run.events) + PER_STEP_OVERHEAD * steps.length + FIXED_OVERHEAD;
  return bound <= LIMITS.sdkRequestMaxBytes;
}

/** The function's registered URL with `stepId` replaced (PROTOCOL 4.1). */
export function stepUrl(fnUrl: string, stepId: string): string {
  const url = new URL(fnUrl);
  url.searchParams.set("stepId", stepId);
  return url.toString();
}
