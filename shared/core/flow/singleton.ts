/**
 * Singleton (SEMANTICS 5.7): one lock per (function, hashed key), held by one run for its whole
 * life, sleeps and waits included. Nothing releases it when the run ends: a claimer that finds it
 * held reads the holder run, and takes the lock over (conditionally on that holder) once the run
 * has ended. So a crash can never leak a lock, and ending a run costs no extra write.
 */

import type { FunctionRecord, RunRecord } from "../../domain/schemas.js";
import { evaluateKey } from "../../expressions/index.js";
import type { CreateRunDeps } from "../runner/types.js";
import { cancelRun } from "../runs/cancel.js";
import { flowConfig } from "./config.js";
import { hashKey } from "./keys.js";

/**
 * How long a lock item lives without being claimed again: longer than any run should (a sleep or a
 * wait lasts at most a year); it bounds the lifetime of items of keys no longer used.
 */
export const LOCK_KEEP_MS = 400 * 24 * 60 * 60 * 1000;

/**
 * A holder that does not exist (yet) counts as live this long after its claim: the lock is taken
 * just before its run is stored. Past that, its creation failed and was not retried.
 */
export const UNBORN_GRACE_MS = 10_000;

/** Claim attempts lost to other claimers before giving up (the record is then delivered again). */
const ATTEMPTS = 10;

/**
 * The run's lock name, or undefined when it is not a singleton: no singleton option, or a key
 * that evaluates to "false" (a false or missing value) or fails to evaluate (the singleton is
 * ignored then, SEMANTICS 5.7).
 */
export function singletonLock(fn: FunctionRecord, run: Pick<RunRecord, "events">): string | undefined {
  const singleton = flowConfig(fn).singleton;
  if (!singleton) return undefined;
  if (!singleton.key) return fn.slug;
  const event = run.events[0];
  const value = event ? evaluateKey(singleton.key, { event }) : undefined;
  if (value === undefined || value === "false") return undefined;
  return `${fn.slug}:${hashKey(value)}`;
}

export type SingletonClaim = { lock: string } | { skip: { reason: "singleton"; holder: string } };

/**
 * Takes the run's singleton lock. `skip` mode: a live holder makes the new run Skipped (naming the
 * holder). `cancel` mode: the live holder is cancelled and the new run takes the lock; if a third
 * run took it meanwhile, the new run is Skipped. Undefined when the run is not a singleton.
 */
export async function claimSingleton(
  deps: CreateRunDeps,
  fn: FunctionRecord,
  run: Pick<RunRecord, "runId" | "events">,
): Promise<SingletonClaim | undefined> {
  const name = singletonLock(fn, run);
  const mode = flowConfig(fn).singleton?.mode;
  if (name === undefined || mode === undefined) return undefined;
  let cancelled = false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const lock = await deps.gates.getLock(name, now);
    // Our own claim (a retried creation that failed after claiming).
    if (lock?.holder === run.runId) return { lock: name };
    if (lock) {
      const holder = await deps.runs.getRun(lock.holder);
      const live = holder ? holder.status === "Running" : now - lock.since < UNBORN_GRACE_MS;
      if (live) {
        const skip = { skip: { reason: "singleton" as const, holder: lock.holder } };
        if (mode === "skip" || cancelled || !holder || sameEvent(holder, run)) return skip;
        await cancelRun(deps, holder.runId, `singleton ${run.runId}`);
        cancelled = true;
      }
    }
    const claimed = await deps.gates.claimLock(name, {
      holder: run.runId,
      expect: lock?.holder,
      now,
      until: now + LOCK_KEEP_MS,
    });
    if (claimed) return { lock: name };
  }
  throw new Error(`singleton lock ${name}: kept losing races to other claimers`);
}

/**
 * The holder was started by the same event id: the new run is a duplicate send that the event-id
 * idempotency will refuse, and must not cancel the run it duplicates.
 */
function sameEvent(holder: RunRecord, run: Pick<RunRecord, "events">): boolean {
  return holder.events[0]?.id === run.events[0]?.id;
}
