/**
 * Debounce (SEMANTICS 5.3): per (function, key) one pending event, the latest; each event of the
 * key replaces it and pushes the fire to now + period (never past first + timeout); an event with
 * an older `ts` is ignored. When the cycle fires, one run starts with the pending event.
 *
 * Writes are optimistic (read, decide, write if the version is unchanged). A fire first *seals*
 * the cycle (no replace succeeds any more), then claims the event, starts the run (idempotent) and
 * deletes the cycle. Anyone who finds a sealed or overdue cycle finishes it, so a process may die
 * between any two steps. Before a pending event is replaced (or an older one ignored) it is claimed
 * for the cycle: a redelivered stream record whose event was taken (fired, superseded or ignored)
 * finds its claim and starts nothing, and a claim taken twice runs nothing twice.
 */

import { ulid } from "ulid";
import type { AcceptedEvent, FunctionRecord, InngestEvent, TimerItem } from "../../domain/schemas.js";
import { evaluateKey } from "../../expressions/index.js";
import type { BufferedEvent, BufferRef, DebounceBuffer } from "../../ports/index.js";
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
import { hashKey } from "./keys.js";

export type DebounceConfig = NonNullable<FlowConfig["debounce"]>;
type DebounceTimer = Extract<TimerItem, { kind: "debounce" }>;

/** A key that fails to evaluate debounces in a bucket of its own (SEMANTICS 5.3). */
export const INVALID_DEBOUNCE_KEY = "<invalid>";
/** Rounds of read-decide-write before giving up (the stream record is then retried). */
const ATTEMPTS = 25;

export function debounceRef(
  fn: Pick<FunctionRecord, "slug">,
  key: string | undefined,
  event: InngestEvent,
): BufferRef {
  if (!key) return { fnSlug: fn.slug, key: "" };
  return { fnSlug: fn.slug, key: hashKey(evaluateKey(key, { event }) ?? INVALID_DEBOUNCE_KEY) };
}

/**
 * Holds the event in its debounce: it starts a run later, alone or superseded by a newer one.
 * The id of the run of the cycle it joined (recorded on the event), or undefined when it joined
 * none (older than the pending event, or placed by an earlier delivery).
 */
export async function debounceEvent(
  deps: CreateRunDeps,
  fn: FunctionRecord,
  accepted: AcceptedEvent,
  config: DebounceConfig,
): Promise<string | undefined> {
  const ref = debounceRef(fn, config.key, accepted.event);
  const entry: BufferedEvent = { internalId: accepted.internalId, event: accepted.event };
  const { buffers } = deps;
  const runOf = (cycle: DebounceBuffer) =>
    cycleRunId(fn, { kind: "debounce", cycle: cycle.cycle, createdAt: cycle.firstAt }).runId;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const stored = await buffers.getDebounce(ref);
    if (stored && (stored.sealed || stored.fireAt <= now)) {
      // Firing (or due and not yet fired): finish that cycle, then this event starts the next one.
      await fireDebounce(deps, fn, stored);
      if (stored.latest.internalId === entry.internalId) return runOf(stored);
      continue;
    }
    // A redelivered record: its event is the pending one, or an earlier delivery placed it.
    if (stored?.latest.internalId === entry.internalId) return runOf(stored);
    if (await buffers.claimOf(fn.slug, entry.internalId, now)) return undefined;
    if (!stored) {
      const cycle = ulid(now);
      const fireAt = now + Math.min(config.periodMs, config.timeoutMs ?? config.periodMs);
      // The timer first: once the cycle exists its fire is on the way (a crash leaves a harmless timer).
      await deps.timers.schedule(debounceTimer(ref, cycle), fireAt);
      const first: DebounceBuffer = {
        ...ref,
        cycle,
        version: 0,
        sealed: false,
        firstAt: now,
        fireAt,
        latest: entry,
      };
      if (await buffers.putDebounce(first, undefined, fireAt + BUFFER_GC_MS)) return runOf(first);
      continue;
    }
    if (entry.event.ts < stored.latest.event.ts) {
      // Older than the pending event: ignored, neither replacing nor extending it.
      await buffers.claimEvents(fn.slug, stored.cycle, [entry.internalId], claimWindow(now));
      return undefined;
    }
    const deadline =
      config.timeoutMs !== undefined ? stored.firstAt + config.timeoutMs : Number.POSITIVE_INFINITY;
    // Never earlier than already set (clocks of two runners may differ a little).
    const fireAt = Math.max(stored.fireAt, Math.min(now + config.periodMs, deadline));
    await buffers.claimEvents(fn.slug, stored.cycle, [stored.latest.internalId], claimWindow(now));
    const next: DebounceBuffer = { ...stored, version: stored.version + 1, fireAt, latest: entry };
    // The cycle's timer follows fireAt by itself (debounceTimerDue), so nothing is scheduled here.
    if (await buffers.putDebounce(next, expectOf(stored), fireAt + BUFFER_GC_MS)) return runOf(next);
  }
  throw new Error(`debounce ${fn.slug}: gave up after ${ATTEMPTS} conflicting writes`);
}

/** The debounce's timer falls due: it fires the cycle, or follows its fire time when it moved. */
export async function debounceTimerDue(deps: CreateRunDeps, item: DebounceTimer): Promise<void> {
  const ref = { fnSlug: item.fnSlug, key: item.key };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await deps.buffers.getDebounce(ref);
    if (!stored) return cycleNotFound(deps, item); // fired already, or not yet written
    if (stored.cycle !== item.cycle) return; // fired already
    if (!stored.sealed && stored.fireAt > deps.clock.now()) {
      await deps.timers.schedule(item, stored.fireAt);
      return;
    }
    const fn = await bufferedFunction(deps, item.fnSlug);
    if (!fn) {
      await deps.buffers.deleteDebounce(ref, item.cycle);
      return;
    }
    if (await fireDebounce(deps, fn, stored)) return;
  }
  throw new Error(`debounce ${item.fnSlug}: fire gave up after ${ATTEMPTS} conflicting writes`);
}

/**
 * Fires a cycle: seal, claim its event, start the run, delete the cycle. Each step is idempotent.
 * False when the cycle changed before it was sealed (read it again).
 */
async function fireDebounce(
  deps: CreateRunDeps,
  fn: FunctionRecord,
  stored: DebounceBuffer,
): Promise<boolean> {
  let buffer = stored;
  if (!buffer.sealed) {
    const sealed: DebounceBuffer = { ...buffer, sealed: true, version: buffer.version + 1 };
    if (!(await deps.buffers.putDebounce(sealed, expectOf(buffer), buffer.fireAt + BUFFER_GC_MS)))
      return false;
    buffer = sealed;
  }
  const { latest } = buffer;
  const taken = await deps.buffers.claimEvents(
    fn.slug,
    buffer.cycle,
    [latest.internalId],
    claimWindow(deps.clock.now()),
  );
  // Taken: this event already ran in another cycle (a redelivered record); nothing runs twice.
  if (!taken.has(latest.internalId)) {
    await startCycleRun(deps, fn, {
      kind: "debounce",
      cycle: buffer.cycle,
      createdAt: buffer.firstAt,
      events: [latest],
    });
  }
  await deps.buffers.deleteDebounce(buffer, buffer.cycle);
  return true;
}

const expectOf = (b: DebounceBuffer) => ({ cycle: b.cycle, version: b.version });

const debounceTimer = (ref: BufferRef, cycle: string): DebounceTimer => ({
  kind: "debounce",
  fnSlug: ref.fnSlug,
  key: ref.key,
  cycle,
});
