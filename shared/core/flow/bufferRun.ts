/**
 * What debounce and batching share: the run a buffer cycle starts, with ids derived from the
 * cycle so a repeated fire or flush (a helper, a redelivered timer) starts nothing twice, and the
 * claims that keep an event in at most one cycle's run.
 */

import { decodeTime } from "ulid";
import { deterministicUlid } from "../../domain/ids.js";
import type { FunctionRecord, TimerItem } from "../../domain/schemas.js";
import type { BufferedEvent } from "../../ports/index.js";
import { type CreatedRun, type CreateRunDeps, createRun } from "../runner/createRun.js";
import { allCancellations } from "../runs/bulkCancel.js";

const HOUR_MS = 60 * 60 * 1000;

/**
 * How long a claim keeps an event out of later cycles: longer than any redelivery of its stream
 * record (Kinesis keeps records 24 h by default), like the event-id idempotency window.
 */
export const CLAIM_TTL_MS = 24 * HOUR_MS;

/** A buffer item outlives its due time by this much before TTL may collect it (an orphan by then). */
export const BUFFER_GC_MS = 30 * 24 * HOUR_MS;

export const claimWindow = (now: number) => ({ now, expiresAt: now + CLAIM_TTL_MS });

/**
 * How long a cycle's timer keeps looking for a cycle it does not find: the timer is scheduled
 * before the cycle is written, so with a 1 s period it can arrive first (a slow write, a large
 * event going to S3). A cycle whose run exists has fired; one older than this never will be.
 */
const MISSING_GRACE_MS = 60_000;
const MISSING_RECHECK_MS = 2_000;

/** A timer found no cycle: look again shortly while the cycle may still be on its way. */
export async function cycleNotFound(
  deps: CreateRunDeps,
  item: Extract<TimerItem, { kind: "debounce" | "batch" }>,
): Promise<void> {
  const createdAt = decodeTime(item.cycle);
  const now = deps.clock.now();
  if (now - createdAt > MISSING_GRACE_MS) return;
  const { runId } = cycleRunId({ slug: item.fnSlug }, { kind: item.kind, cycle: item.cycle, createdAt });
  if (await deps.runs.getRun(runId)) return; // fired already
  await deps.timers.schedule(item, now + MISSING_RECHECK_MS);
}

export interface CycleRun {
  kind: "debounce" | "batch";
  cycle: string;
  /** When the cycle began: the run id's time part (stable however late the run is created). */
  createdAt: number;
  /** The run's events in order (the first is `event`); never empty. */
  events: BufferedEvent[];
}

/** The run id and idempotency key of a cycle's run. */
export function cycleRunId(
  fn: Pick<FunctionRecord, "slug">,
  run: Pick<CycleRun, "kind" | "cycle" | "createdAt">,
) {
  const seed = `${fn.slug}\u0000${run.kind}\u0000${run.cycle}`;
  return { runId: deterministicUlid(run.createdAt, seed), idempotencyKey: seed };
}

/** Starts (idempotently) the one run of a cycle. */
export async function startCycleRun(
  deps: CreateRunDeps,
  fn: FunctionRecord,
  run: CycleRun,
): Promise<CreatedRun> {
  const first = run.events[0];
  if (!first) throw new Error(`${run.kind} cycle ${run.cycle} of ${fn.slug} has no event`);
  const now = deps.clock.now();
  const { runId, idempotencyKey } = cycleRunId(fn, run);
  return createRun(deps, {
    fn,
    runId,
    eventId: first.internalId,
    events: run.events.map((e) => e.event),
    idempotency: { key: idempotencyKey, expiresAt: now + CLAIM_TTL_MS },
    // A future `ts` delays the start until then, as for a run of one event (SEMANTICS 8).
    ...(first.event.ts > now ? { startAt: first.event.ts } : {}),
    // A bulk cancellation whose window holds the run cancels it, as the runner's own runs.
    cancellations: () => allCancellations(deps.cancellations),
  });
}

/** The function a timer's buffer belongs to, or undefined when it is gone (its buffer is dropped). */
export async function bufferedFunction(
  deps: CreateRunDeps,
  fnSlug: string,
): Promise<FunctionRecord | undefined> {
  const fn = await deps.registry.getFunction(fnSlug);
  if (fn && !fn.archived) return fn;
  deps.log?.("function removed; its buffered events are dropped", { fn: fnSlug });
  return undefined;
}
