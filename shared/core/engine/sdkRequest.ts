import type { Json } from "../../domain/json.js";
import type { FunctionRecord, Job, RunRecord, StepRecord } from "../../domain/schemas.js";

/**
 * The execution request body of PROTOCOL.md 4.4, classic protocol: no `ctx.fn_id`, so the JS v4
 * SDK runs one step per request instead of checkpointing (checkpointing is a later feature).
 * Every field is always present: the Python SDK validates strictly.
 */
export function buildSdkRequest(run: RunRecord, steps: StepRecord[], job: Job, fn: FunctionRecord): Json {
  const memo: Record<string, Json> = {};
  for (const s of steps) memo[s.stepId] = s.value;
  const events: Json[] = run.events.map((e) => ({ ...e }));
  return {
    ctx: {
      attempt: job.attempt,
      disable_immediate_execution: false,
      max_attempts: fn.retries + 1,
      run_id: run.runId,
      stack: { stack: run.stack, current: run.stack.length },
      use_api: false,
    },
    // Defers already recorded, so the SDK does not send them again (PROTOCOL 6.4); never null.
    defers: Object.fromEntries(
      Object.entries(run.defers ?? {}).map(([id, d]) => [id, { abortable: d.aborted !== true }]),
    ),
    event: events[0] ?? null,
    events,
    steps: memo,
    use_api: false,
    version: run.requestVersion,
  };
}

/** The function's registered URL with `stepId` replaced (PROTOCOL 4.1). */
export function stepUrl(fnUrl: string, stepId: string): string {
  const url = new URL(fnUrl);
  url.searchParams.set("stepId", stepId);
  return url.toString();
}
