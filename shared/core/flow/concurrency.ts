/**
 * Concurrency limits (SEMANTICS 4): a job of a run with limits takes a lease on each counter key
 * before it is sent to the work queue, and keeps it until its answer is committed. A job that
 * finds a key full is parked on that key, ordered by its run's score (creation time minus
 * priority), and leaves the queue: a flood on one key waits in its own backlog while other keys
 * and functions flow past. Whoever frees a slot refills it from the backlog. Leases expire, and a
 * check timer per key with waiting jobs reclaims the slots of executors that died.
 */

import { type FlowLimit, type Job, jobId } from "../../domain/schemas.js";
import type {
  Clock,
  ConcurrencyStatus,
  ConcurrencyStore,
  TimerService,
  WorkQueue,
} from "../../ports/index.js";

export interface FlowDeps {
  concurrency?: ConcurrencyStore;
  work: WorkQueue;
  timers: TimerService;
  clock: Clock;
  /** How long a lease lasts without renewal (default LEASE_MS). */
  leaseMs?: number;
}

/**
 * A lease lasts this long unless renewed: a job waits at most this long in the queue before its
 * executor renews it, and a running request renews it every third of it.
 */
export const LEASE_MS = 60_000;

/** Most parked jobs one refill takes at once. */
const REFILL_MAX = 25;

function store(deps: FlowDeps): ConcurrencyStore {
  if (!deps.concurrency) throw new Error("a job with concurrency limits needs a concurrency store");
  return deps.concurrency;
}

export function leaseMs(deps: Pick<FlowDeps, "leaseMs">): number {
  return deps.leaseMs ?? LEASE_MS;
}

/** Whether the job is bound by concurrency limits (wake-ups make no request and hold no slot). */
export function isLimited(job: Job): job is Job & { limits: FlowLimit[] } {
  return job.limits !== undefined && job.limits.length > 0 && job.wake !== true;
}

/**
 * Takes (or renews) a lease on every limit of the job. On the first full key, the leases just
 * taken are given back and the job is parked there. `fresh` jobs (never parked) also yield to
 * parked ones, so the backlog's order holds.
 */
export async function admit(
  deps: FlowDeps,
  job: Job & { limits: FlowLimit[] },
  opts: { fresh: boolean; recheck?: boolean },
): Promise<"admitted" | "parked"> {
  const s = store(deps);
  const now = deps.clock.now();
  const lease = { holder: jobId(job), until: now + leaseMs(deps), now, yieldToWaiting: opts.fresh };
  const result = await takeEach(deps, job, opts.recheck ?? true, async (limit) =>
    (await s.acquire(limit.key, { ...lease, limit: limit.limit })) ? "held" : "full",
  );
  return result === "parked" ? "parked" : "admitted";
}

/**
 * The executor's claim on every lease of the job it is about to run, as `owner`: `held` (go on),
 * `busy` (another executor owns the job: this is a second delivery of it, which must not run
 * beside the first and so hold one slot twice), or `parked` (no room: the job waits).
 */
export function claimLeases(
  deps: FlowDeps,
  job: Job & { limits: FlowLimit[] },
  owner: string,
): Promise<"held" | "busy" | "parked"> {
  const s = store(deps);
  const now = deps.clock.now();
  const lease = { holder: jobId(job), until: now + leaseMs(deps), now, owner };
  return takeEach(deps, job, true, (limit) => s.claim(limit.key, { ...lease, limit: limit.limit }), owner);
}

/**
 * Takes the job's leases one limit after another. On the first full one, the leases just taken
 * are given back and the job is parked there; a busy one (owned by another executor) stops it.
 */
async function takeEach(
  deps: FlowDeps,
  job: Job & { limits: FlowLimit[] },
  recheck: boolean,
  take: (limit: FlowLimit) => Promise<"held" | "busy" | "full">,
  owner?: string,
): Promise<"held" | "busy" | "parked"> {
  const taken: FlowLimit[] = [];
  for (const limit of job.limits) {
    const result = await take(limit);
    if (result === "busy") return "busy";
    if (result === "held") {
      taken.push(limit);
      continue;
    }
    await releaseLimits(deps, jobId(job), taken, owner);
    await park(deps, limit, job, recheck);
    return "parked";
  }
  return "held";
}

/**
 * Renews the job's leases while its request runs. Only leases this executor still owns are
 * extended: a renewal that lands after the release (or after the lease lapsed and went to
 * another job) takes nothing. False when any was lost.
 */
export async function renew(
  deps: FlowDeps,
  job: Job & { limits: FlowLimit[] },
  owner: string,
): Promise<boolean> {
  const s = store(deps);
  const until = deps.clock.now() + leaseMs(deps);
  const kept = await Promise.all(
    job.limits.map((l) => s.extend(l.key, { holder: jobId(job), owner, until })),
  );
  return kept.every(Boolean);
}

/**
 * Gives back the job's leases without refilling: the run's own next jobs take a freed slot first
 * (they belong to an older run than most that wait), then `refillAfter` hands out the rest.
 * The limits that have jobs waiting are returned for that.
 */
export async function releaseLeases(
  deps: FlowDeps,
  job: Job & { limits: FlowLimit[] },
  owner: string,
): Promise<Released[]> {
  const s = store(deps);
  const waiting = await Promise.all(
    job.limits.map(async (limit) => {
      const after = await s.release(limit.key, jobId(job), deps.clock.now(), owner);
      return after.waiting > 0 ? { limit, live: after.live } : undefined;
    }),
  );
  return waiting.filter((l) => l !== undefined);
}

/** A limit with jobs waiting, and its live leases when its lease was given back. */
export interface Released {
  limit: FlowLimit;
  live: number;
}

/**
 * Refills the slots of limits with waiting jobs (after `releaseLeases`). With `sentSince`, the
 * run's own next jobs may have taken slots since the release, so the count is read again.
 */
export async function refillAfter(
  deps: FlowDeps,
  released: readonly Released[],
  opts: { sentSince?: boolean } = {},
): Promise<void> {
  await Promise.all(
    released.map((r) =>
      refill(deps, r.limit, false, opts.sentSince ? undefined : { live: r.live, waiting: 1 }),
    ),
  );
}

async function releaseLimits(
  deps: FlowDeps,
  holder: string,
  limits: readonly FlowLimit[],
  owner?: string,
): Promise<void> {
  const s = store(deps);
  await Promise.all(
    limits.map(async (limit) => {
      const after = await s.release(limit.key, holder, deps.clock.now(), owner);
      if (after.waiting > 0 && after.live < limit.limit) await refill(deps, limit, false, after);
    }),
  );
}

async function park(deps: FlowDeps, limit: FlowLimit, job: Job, recheck: boolean): Promise<void> {
  const now = deps.clock.now();
  const after = await store(deps).park(limit.key, job, job.score ?? now, now);
  // A slot freed between the failed acquire and the park saw nobody waiting: look again (not
  // from inside a refill, which is that look already).
  if (recheck && after.live < limit.limit) await refill(deps, limit);
  if (after.checkAt === undefined || after.checkAt <= now) await ensureCheck(deps, limit);
}

/**
 * Sends parked jobs of the key while it has free slots (each taken job is admitted again).
 * `force` looks at the backlog whatever the waiting count says (the check timer's safety net).
 */
export async function refill(
  deps: FlowDeps,
  limit: FlowLimit,
  force = false,
  known?: ConcurrencyStatus,
): Promise<void> {
  const s = store(deps);
  const status = known ?? (await s.status(limit.key, deps.clock.now()));
  const free = Math.min(REFILL_MAX, limit.limit - status.live);
  if (free <= 0 || (status.waiting === 0 && !force)) return;
  const jobs = await s.takeParked(limit.key, free);
  // A job sent again may have been sent under its id minutes ago (then parked by its executor):
  // a fresh deduplication id keeps SQS from dropping this copy.
  const resend = deps.clock.now();
  const taken = jobs.map((job) => ({ ...job, resend }));
  // Taken and neither parked again nor sent yet: on any failure these go back to the backlog.
  const unsent = new Set(taken);
  try {
    const admitted: Job[] = [];
    for (const job of taken) {
      // Taken from a backlog: it goes ahead of fresh jobs (which yield to the backlog).
      if (isLimited(job) && (await admit(deps, job, { fresh: false, recheck: false })) === "parked") {
        unsent.delete(job);
        continue;
      }
      admitted.push(job);
    }
    if (admitted.length) await deps.work.send(admitted);
  } catch (err) {
    // Nothing taken may be lost (an admitted job put back waits again; its lease lapses).
    await Promise.all([...unsent].map((job) => s.park(limit.key, job, job.score ?? resend, resend)));
    throw err;
  }
}

/**
 * Keeps one check timer per key while jobs wait on it: leases of executors that died expire
 * without a release, and the check refills their slots.
 */
async function ensureCheck(deps: FlowDeps, limit: FlowLimit): Promise<void> {
  const now = deps.clock.now();
  const at = now + leaseMs(deps);
  if (await store(deps).claimCheck(limit.key, at, now)) {
    await deps.timers.schedule({ kind: "flowCheck", key: limit.key, limit: limit.limit }, at);
  }
}

/** The check timer: refill, and check again while jobs still wait. */
export async function checkKey(deps: FlowDeps, limit: FlowLimit): Promise<void> {
  await refill(deps, limit, true);
  const status = await store(deps).status(limit.key, deps.clock.now());
  if (status.waiting > 0) await ensureCheck(deps, limit);
}
