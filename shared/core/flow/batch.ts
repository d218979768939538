/**
 * Batching (SEMANTICS 5.4): per (function, key) a buffer of events in arrival order. The first
 * event of a cycle schedules its flush at now + timeout (the timer is scheduled before the buffer
 * exists, so no cycle is ever without one); the cycle flushes at once when it holds maxSize events
 * or its events would pass MAX_BATCH_BYTES. One run gets the events, `event` = the first.
 *
 * Appends are one atomic conditional write each and idempotent by internal id within a cycle. A
 * flush *seals* the cycle (appends fail from then on), claims its events, starts the run
 * (idempotent) and deletes the cycle; an append that finds the cycle sealed, full or due finishes
 * the flush itself and appends to a new cycle. So a process may die between any two steps. The
 * claims keep an event out of a second run when its stream record is redelivered after its cycle
 * flushed (the redelivery lands in a later cycle, whose flush leaves it out).
 */

import { ulid } from "ulid";
import type { AcceptedEvent, FunctionRecord, TimerItem } from "../../domain/schemas.js";
import { evaluateBoolean } from "../../expressions/index.js";
import type { BatchBuffer, BatchState, BufferedEvent, BufferRef } from "../../ports/index.js";
import { INTERNAL_EVENTS } from "../../protocol/constants.js";
import type { CreateRunDeps } from "../runner/types.js";
import {
  BUFFER_GC_MS,
  bufferedFunction,
  claimWindow,
  cycleNotFound,
  cycleRunId,
  startCycleRun,
} from "./bufferRun.js";
import type { FlowConfig } from "./config.js";
import { flowKey } from "./keys.js";

export type BatchConfig = NonNullable<FlowConfig["batch"]>;
type BatchTimer = Extract<TimerItem, { kind: "batch" }>;

/**
 * The events of one batch stored in its DynamoDB item, in bytes of JSON (the official server caps
 * a batch at 10 MiB; an item holds 400 KB, which leaves room for the ids and the attribute names
 * of up to 500 events). An event larger than this on its own runs alone, un-batched.
 */
export const MAX_BATCH_BYTES = 256 * 1024;
/** Rounds of append, flush and append again before giving up (the stream record is then retried). */
const ATTEMPTS = 25;

/** What an event counts against MAX_BATCH_BYTES. */
export const entryBytes = (entry: BufferedEvent) =>
  Buffer.byteLength(JSON.stringify(entry.event), "utf8") + entry.internalId.length;

/**
 * Whether the event joins a batch: crons and invokes never do (SEMANTICS 1, 5.4), nor an event
 * whose `if` is false or fails, nor one too large for a batch (they run at once, alone).
 */
export function batchable(accepted: AcceptedEvent, config: BatchConfig): boolean {
  if (accepted.target !== undefined || accepted.event.name === INTERNAL_EVENTS.functionInvoked) return false;
  return config.if === undefined || evaluateBoolean(config.if, { event: accepted.event });
}

/**
 * Adds the event to its batch: the id of the run its batch starts (recorded on the event), or
 * false when it is not batched (its run starts now, as usual).
 */
export async function batchEvent(
  deps: CreateRunDeps,
  fn: FunctionRecord,
  accepted: AcceptedEvent,
  config: BatchConfig,
): Promise<string | false> {
  if (!batchable(accepted, config)) return false;
  const entry: BufferedEvent = { internalId: accepted.internalId, event: accepted.event };
  const bytes = entryBytes(entry);
  if (bytes > MAX_BATCH_BYTES) {
    deps.log?.("event too large for a batch; it runs alone", {
      fn: fn.slug,
      eventId: entry.internalId,
      bytes,
    });
    return false;
  }
  const ref: BufferRef = { fnSlug: fn.slug, key: flowKey(config.key, accepted.event) };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const appended = await deps.buffers.appendBatch(ref, {
      entry,
      bytes,
      now,
      maxSize: config.maxSize,
      maxBytes: MAX_BATCH_BYTES,
    });
    switch (appended.result) {
      case "appended":
      case "present": {
        // Present: a redelivered record, already in this cycle (finish the cycle if it is due).
        const { buffer } = appended;
        if (buffer.sealed || buffer.size >= config.maxSize || buffer.flushAt <= now) {
          await flushBatch(deps, fn, buffer);
        }
        return cycleRunId(fn, { kind: "batch", cycle: buffer.cycle, createdAt: buffer.createdAt }).runId;
      }
      case "closed":
        await flushBatch(deps, fn, appended.buffer);
        continue;
      case "absent": {
        const cycle = ulid(now);
        const flushAt = now + config.timeoutMs;
        await deps.timers.schedule(batchTimer(ref, cycle), flushAt);
        const start = { cycle, createdAt: now, flushAt, expiresAt: flushAt + BUFFER_GC_MS };
        if (!(await deps.buffers.startBatch(ref, entry, bytes, start))) continue; // someone else started one
        if (config.maxSize <= 1) {
          await flushBatch(deps, fn, { ...ref, ...start, sealed: false, size: 1, bytes });
        }
        return cycleRunId(fn, { kind: "batch", cycle, createdAt: now }).runId;
      }
    }
  }
  throw new Error(`batch ${fn.slug}: gave up after ${ATTEMPTS} rounds`);
}

/** A batch's timeout: flushes the cycle it was scheduled for, if it is still there. */
export async function batchTimerDue(deps: CreateRunDeps, item: BatchTimer): Promise<void> {
  const ref = { fnSlug: item.fnSlug, key: item.key };
  const buffer = await deps.buffers.getBatch(ref);
  if (!buffer) return cycleNotFound(deps, item); // flushed already, or not yet written
  if (buffer.cycle !== item.cycle) return; // flushed already (size, or a helper)
  const fn = await bufferedFunction(deps, item.fnSlug);
  if (!fn) {
    await deps.buffers.deleteBatch(ref, item.cycle);
    return;
  }
  await flushBatch(deps, fn, buffer);
}

/** Seal, claim, run, delete: every step idempotent, so anyone may finish a flush begun elsewhere. */
async function flushBatch(
  deps: CreateRunDeps,
  fn: FunctionRecord,
  known: BatchState | BatchBuffer,
): Promise<void> {
  // A buffer read sealed is final; anything else is sealed (again) to read its final events.
  const sealed = known.sealed && "events" in known ? known : await deps.buffers.sealBatch(known, known.cycle);
  if (!sealed) return; // that cycle is gone: flushed by someone else
  const ids = sealed.events.map((e) => e.internalId);
  const taken = await deps.buffers.claimEvents(fn.slug, sealed.cycle, ids, claimWindow(deps.clock.now()));
  const events = sealed.events.filter((e) => !taken.has(e.internalId));
  if (events.length > 0) {
    await startCycleRun(deps, fn, {
      kind: "batch",
      cycle: sealed.cycle,
      createdAt: sealed.createdAt,
      events,
    });
  }
  await deps.buffers.deleteBatch(sealed, sealed.cycle);
}

const batchTimer = (ref: BufferRef, cycle: string): BatchTimer => ({
  kind: "batch",
  fnSlug: ref.fnSlug,
  key: ref.key,
  cycle,
});
