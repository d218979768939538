import type {
  Clock,
  EventStore,
  RegistryStore,
  RunStore,
  TimerService,
  WorkQueue,
} from "../../ports/index.js";
import { dispatchJobs } from "../engine/dispatch.js";
import { evaluateBoolean } from "../expressions/index.js";
import { flowPartition } from "../flow/partition.js";
import { deterministicUlid } from "../ids.js";
import { triggerMatches, triggerPatterns } from "../triggers/patterns.js";
import type { AcceptedEvent, FunctionRecord, InngestEvent, RunRecord, ScheduledJob } from "../types.js";

export interface RunnerDeps {
  registry: RegistryStore;
  events: EventStore;
  runs: RunStore;
  work: WorkQueue;
  timers: TimerService;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Event-id idempotency window (SEMANTICS 8: a second event with the same id starts no run for 24 h). */
const IDEMPOTENCY_MS = 24 * 60 * 60 * 1000;

/** Run id: a ULID derived from (function, internal event id), so redelivered records map to the same run. */
export function runIdFor(fnSlug: string, accepted: AcceptedEvent): string {
  return deterministicUlid(accepted.receivedAt, `${fnSlug}\u0000${accepted.internalId}`);
}

/**
 * Handles one accepted event: finds the functions it triggers, creates each run at most once
 * (idempotent under stream redelivery and under duplicate event ids), enqueues the start jobs,
 * and stores the event with the runs it started (an empty list records it as unmatched).
 */
export async function handleEvent(
  deps: RunnerDeps,
  accepted: AcceptedEvent,
  fns: FunctionRecord[],
): Promise<string[]> {
  const runIds: string[] = [];
  const starts: ScheduledJob[] = [];
  for (const fn of fns) {
    if (!triggersOn(fn, accepted.event)) continue;
    const runId = runIdFor(fn.slug, accepted);
    const run: RunRecord = {
      runId,
      fnSlug: fn.slug,
      appId: fn.appId,
      status: "Running",
      eventId: accepted.internalId,
      events: [accepted.event],
      startedAt: deps.clock.now(),
      version: 0,
      requestVersion: -1,
      stack: [],
      next: [],
    };
    const partition = flowPartition(fn, run);
    const start: ScheduledJob = {
      job: { runId, fnSlug: fn.slug, stepId: "step", attempt: 0, version: 0, partition },
      // A future `ts` delays the run's start until then (SEMANTICS 8).
      ...(accepted.event.ts > deps.clock.now() ? { dueAt: accepted.event.ts } : {}),
    };
    run.next = [start];
    const result = await deps.runs.createRun(run, {
      key: `${fn.slug}\u0000${accepted.event.id}`,
      expiresAt: deps.clock.now() + IDEMPOTENCY_MS,
    });
    if (result === "duplicate") {
      deps.log?.("event id already started this function; no new run", {
        fn: fn.slug,
        eventId: accepted.internalId,
      });
      continue;
    }
    runIds.push(runId);
    // "exists" = a redelivered record: the start job may not have been sent, so send it again
    // (its dedup id is deterministic and the executor ignores stale duplicates).
    starts.push(start);
  }
  await dispatchJobs({ work: deps.work, timers: deps.timers, now: () => deps.clock.now() }, starts);
  await deps.events.putEvent({ ...accepted, runIds });
  return runIds;
}

/**
 * Whether any of the function's event triggers matches: the name (exact or wildcard) and, when it
 * has one, the trigger's `if` expression over `event` (an expression error counts as no match).
 */
function triggersOn(fn: FunctionRecord, event: InngestEvent): boolean {
  return fn.triggers.some(
    (t) =>
      "event" in t &&
      triggerMatches(t.event, event.name) &&
      (!t.expression || evaluateBoolean(t.expression, { event })),
  );
}

/** Functions triggered by a name: one index lookup per pattern the name satisfies (exact + wildcards). */
async function functionsFor(registry: RunnerDeps["registry"], name: string): Promise<FunctionRecord[]> {
  const found = await Promise.all(triggerPatterns(name).map((p) => registry.functionsForEvent(p)));
  const bySlug = new Map<string, FunctionRecord>();
  for (const fn of found.flat()) bySlug.set(fn.slug, fn);
  return [...bySlug.values()];
}

/**
 * A handler for one batch of events: each distinct event name is looked up once per batch.
 * (A failed lookup is not kept, so a retried record looks again.)
 */
export function batchHandler(deps: RunnerDeps): (accepted: AcceptedEvent) => Promise<string[]> {
  const byName = new Map<string, Promise<FunctionRecord[]>>();
  return async (accepted) => {
    const name = accepted.event.name;
    let fns = byName.get(name);
    if (!fns) {
      fns = functionsFor(deps.registry, name);
      byName.set(name, fns);
      fns.catch(() => byName.delete(name));
    }
    return handleEvent(deps, accepted, await fns);
  };
}

/** Handles a batch in order. */
export async function handleEvents(deps: RunnerDeps, batch: AcceptedEvent[]): Promise<void> {
  const handle = batchHandler(deps);
  for (const accepted of batch) await handle(accepted);
}
