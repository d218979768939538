/**
 * What the APIs (GraphQL mutations, REST v1, the dashboard) can do to runs: cancel one, rerun one
 * (optionally from a step, keeping the results of the steps before it), and send events.
 */
import { monotonicFactory } from "ulid";
import { NotFoundError, ValidationError } from "../../domain/errors.js";
import type { RunRecord, StepRecord } from "../../domain/schemas.js";
import type { Clock, EventStream, RegistryStore, RunStore, TimerService, WorkQueue } from "../../ports/index.js";
import { parseEventPayload } from "../../protocol/events.js";
import { dispatchJobs } from "../scheduling/dispatch.js";
import { startJob } from "../scheduling/partition.js";

export interface RunActionDeps {
  runs: RunStore;
  registry: RegistryStore;
  work: WorkQueue;
  timers: TimerService;
  clock: Clock;
}

const newUlid = monotonicFactory();
/** Attempts at a cancel commit that loses races to the run's own progress. */
const CANCEL_ATTEMPTS = 10;

/**
 * Ends a Running run as Cancelled: its pending jobs become stale (the executor skips jobs of a run
 * that is not Running), and so does a sleep's wake-up. A run that already ended is returned as is.
 */
export async function cancelRun(deps: RunActionDeps, runId: string): Promise<RunRecord> {
  for (let i = 0; i < CANCEL_ATTEMPTS; i++) {
    const run = await deps.runs.getRun(runId);
    if (!run) throw new NotFoundError(`run ${runId} not found`);
    if (run.status !== "Running") return run;
    const now = deps.clock.now();
    const committed = await deps.runs.commitTransition(run.runId, run.version, {
      set: { status: "Cancelled", endedAt: now, next: [] },
      at: now,
    });
    if (committed) return { ...run, status: "Cancelled", endedAt: now, next: [], version: run.version + 1 };
  }
  throw new Error(`run ${runId}: cancel kept losing to concurrent transitions`);
}

/**
 * Starts a new run of the same function with the same events. With `fromStepId`, the results of
 * the steps completed before that step are copied, so the new run resumes at it.
 */
export async function rerunRun(
  deps: RunActionDeps,
  runId: string,
  opts: { fromStepId?: string } = {},
): Promise<string> {
  const history = await deps.runs.getRunHistory(runId);
  if (!history) throw new NotFoundError(`run ${runId} not found`);
  const { run } = history;
  const fn = await deps.registry.getFunction(run.fnSlug);
  if (!fn || fn.archived) throw new NotFoundError(`function ${run.fnSlug} is no longer registered`);

  let kept: StepRecord[] = [];
  if (opts.fromStepId !== undefined) {
    const at = run.stack.indexOf(opts.fromStepId);
    if (at < 0) throw new ValidationError(`step ${opts.fromStepId} did not complete in run ${runId}`);
    const before = new Set(run.stack.slice(0, at));
    kept = history.steps.filter((s) => before.has(s.stepId));
  }

  const now = deps.clock.now();
  const newRunId = newUlid(now);
  const start = startJob(fn, { runId: newRunId });
  const fresh: RunRecord = {
    runId: newRunId,
    fnSlug: run.fnSlug,
    appId: run.appId,
    status: "Running",
    eventId: run.eventId,
    events: run.events,
    startedAt: now,
    updatedAt: now,
    version: 0,
    requestVersion: run.requestVersion,
    stack: [],
    next: kept.length ? [] : [start],
  };
  await deps.runs.createRun(fresh);
  if (kept.length === 0) {
    await dispatchJobs(deps, [start]);
    return newRunId;
  }
  // No job exists for the new run yet, so this first transition cannot race.
  const first = { ...start, job: { ...start.job, version: 1 } };
  const steps = kept.map((s) => ({ ...s, runId: newRunId }));
  await deps.runs.commitTransition(newRunId, 0, {
    steps,
    set: { stack: run.stack.filter((id) => steps.some((s) => s.stepId === id)), next: [first] },
    at: now,
  });
  await dispatchJobs(deps, [first]);
  return newRunId;
}

export interface SendDeps {
  stream: EventStream;
  clock: Clock;
}

/**
 * Sends events on behalf of an authenticated API caller (the dashboard's "send event"), through
 * the same validation and stream as the Event API. Returns the internal ids.
 */
export async function sendEvents(deps: SendDeps, body: string): Promise<string[]> {
  const parsed = parseEventPayload(body, { nowMs: deps.clock.now() });
  if (!parsed.ok) throw new ValidationError(parsed.error, parsed.status);
  await deps.stream.put(parsed.events);
  return parsed.events.map((e) => e.internalId);
}
