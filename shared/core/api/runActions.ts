/**
 * What the APIs (GraphQL mutations, REST v1, the dashboard) can do to runs: cancel one, rerun one
 * (optionally from a step, keeping the results of the steps before it), replay a function's runs
 * over a window of received events, and send events.
 */
import { monotonicFactory } from "ulid";
import { NotFoundError, ValidationError } from "../../domain/errors.js";
import type { FunctionRecord, RunRecord, StepRecord } from "../../domain/schemas.js";
import type { Clock, EventStore, EventStream } from "../../ports/index.js";
import { parseEventPayload } from "../../protocol/events.js";
import { mapLimited } from "../concurrency.js";
import { createRun } from "../runner/createRun.js";
import type { CreateRunDeps } from "../runner/types.js";
import { cancelRun as cancelRunCore } from "../runs/cancel.js";
import { runSetup } from "../runs/runSetup.js";
import { dispatchCommitted } from "../scheduling/dispatch.js";
import { startJob } from "../scheduling/partition.js";

/** Reruns and replays create runs as the runner does (flow control applies to them too). */
export type RunActionDeps = CreateRunDeps;

const newUlid = monotonicFactory();

/** Cancels a run for an API caller (REST DELETE, GraphQL cancelRun). See core/runs/cancel. */
export function cancelRun(deps: RunActionDeps, runId: string): Promise<RunRecord> {
  return cancelRunCore(deps, runId, "api");
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

  return startRerun(deps, fn, run, kept);
}

/**
 * Creates and starts a run of `fn` with the events of `source`. With `kept` steps, their results
 * are written first (and the stack rebuilt from them) so the run resumes after them.
 */
async function startRerun(
  deps: RunActionDeps,
  fn: FunctionRecord,
  source: RunRecord,
  kept: StepRecord[],
): Promise<string> {
  const now = deps.clock.now();
  const newRunId = newUlid(now);
  // A plain rerun is a new run of the same events: created like any run, so singleton, throttle
  // and the run's concurrency keys (evaluated again from the same event) apply to it.
  if (kept.length === 0) {
    await createRun(deps, { fn, runId: newRunId, eventId: source.eventId, events: source.events });
    return newRunId;
  }
  // From a step: the kept results are written before the first job. The run keeps the source's
  // concurrency keys (evaluated from the same event); singleton and throttle are not applied.
  const flow = source.flow?.limits ? { limits: source.flow.limits, score: now } : undefined;
  const start = startJob({ runId: newRunId, fnSlug: fn.slug, ...(flow ? { flow } : {}) });
  const fresh: RunRecord = {
    runId: newRunId,
    fnSlug: source.fnSlug,
    appId: source.appId,
    status: "Running",
    eventId: source.eventId,
    events: source.events,
    startedAt: now,
    updatedAt: now,
    version: 0,
    requestVersion: source.requestVersion,
    stack: [],
    next: [],
    ...(flow ? { flow } : {}),
  };
  const { run, pauses, outbox } = runSetup(fn, fresh);
  await deps.runs.createRun(run, undefined, pauses);
  // No job exists for the new run yet, so this first transition cannot race.
  const first = { ...start, job: { ...start.job, version: 1 } };
  const steps = kept.map((s) => ({ ...s, runId: newRunId }));
  await deps.runs.commitTransition(newRunId, 0, {
    steps,
    set: { stack: source.stack.filter((id) => steps.some((s) => s.stepId === id)), next: [first] },
    at: now,
  });
  await dispatchCommitted(deps, { next: [first], outbox });
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

/** Most runs one replay request starts; a wider window is refused (400) rather than cut short. */
export const REPLAY_MAX_RUNS = 1000;
/** Most received events one replay request looks through (most may have started other functions). */
export const REPLAY_MAX_EVENTS = 10 * REPLAY_MAX_RUNS;
/** Runs created at once while replaying. */
const REPLAY_CONCURRENCY = 16;
const EVENT_PAGE = 100;

export interface ReplayDeps extends RunActionDeps {
  events: EventStore;
}

/**
 * Starts a new run of `fnSlug`, with the same events, for each run of it that an event received in
 * [from, until] started. A run started by several of those events (a batch), and the reruns of it
 * (which keep its triggering event), are replayed once. Returns the new run ids, oldest first.
 */
export async function replayEvents(
  deps: ReplayDeps,
  req: { fnSlug: string; from: number; until: number },
): Promise<string[]> {
  if (req.from > req.until) throw new ValidationError("from must not be later than until");
  const fn = await deps.registry.getFunction(req.fnSlug);
  if (!fn || fn.archived) throw new NotFoundError(`function ${req.fnSlug} not found`);
  const originals = await runsToReplay(deps, fn, req);
  return mapLimited(originals, REPLAY_CONCURRENCY, (run) => startRerun(deps, fn, run, []));
}

/** Event names that can trigger `fn`; undefined = any (a wildcard trigger). */
function triggerNames(fn: FunctionRecord): string[] | undefined {
  const names = fn.triggers.flatMap((t) => ("event" in t ? [t.event] : []));
  return names.some((n) => n.includes("*")) ? undefined : names;
}

async function runsToReplay(
  deps: ReplayDeps,
  fn: FunctionRecord,
  req: { from: number; until: number },
): Promise<RunRecord[]> {
  const names = triggerNames(fn);
  if (names?.length === 0) return [];
  const tooMany = (what: string) =>
    new ValidationError(`the window holds more than ${what}: replay a narrower window`);
  // The earliest run of the function per triggering event: the original, not a rerun of it.
  const originals = new Map<string, RunRecord>();
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.events.listEvents(
      { from: req.from, until: req.until, includeInternal: true, ...(names ? { names } : {}) },
      { limit: EVENT_PAGE, ...(cursor ? { cursor } : {}) },
    );
    scanned += page.events.length;
    if (scanned > REPLAY_MAX_EVENTS) throw tooMany(`${REPLAY_MAX_EVENTS} events`);
    const started = page.events.filter((e) => e.runIds.length > 0);
    const runs = await Promise.all(started.map((e) => deps.runs.listRunsForEvent(e.internalId)));
    for (const run of runs.flat()) {
      if (run.fnSlug !== fn.slug) continue;
      const known = originals.get(run.eventId);
      if (!known || run.startedAt < known.startedAt) originals.set(run.eventId, run);
    }
    if (originals.size > REPLAY_MAX_RUNS) throw tooMany(`${REPLAY_MAX_RUNS} runs of ${fn.slug}`);
    cursor = page.cursor;
  } while (cursor);
  return [...originals.values()].sort((a, b) => a.startedAt - b.startedAt || a.runId.localeCompare(b.runId));
}
