import type { Job, Outbox, ScheduledJob } from "../../domain/schemas.js";
import type { Clock, ConcurrencyStore, EventStream, TimerService, WorkQueue } from "../../ports/index.js";
import { mapLimited } from "../concurrency.js";
import { admit, isLimited } from "../flow/concurrency.js";

export interface DispatchDeps {
  work: WorkQueue;
  /** Leases and backlogs of concurrency limits (needed once a function declares one). */
  concurrency?: ConcurrencyStore;
  /** Concurrency lease length (tests shorten it). */
  leaseMs?: number;
  timers: TimerService;
  /** System events, invokes and deferred runs go through the Event API's stream. */
  stream: EventStream;
  clock: Clock;
}

export interface DispatchOptions {
  /**
   * The jobs follow one that just gave back its slots: they take them ahead of parked jobs,
   * so a run already going finishes before runs waiting to start (SEMANTICS 6, run age).
   */
  continuing?: boolean;
}

/** Admissions in flight at once (a fan-out of limited steps). */
const ADMIT_CONCURRENCY = 10;

/** Jobs due within this margin go straight to the work queue (clock noise, not a delay). */
const IMMEDIATE_MARGIN_MS = 50;

/**
 * Sends jobs: due ones to the FIFO work queue (in order, so a group's jobs keep their order), later
 * ones through the timers. Every job of the engine, the runner and the recovery sweep leaves here.
 */
export async function dispatchJobs(
  deps: DispatchDeps,
  jobs: ScheduledJob[],
  opts: DispatchOptions = {},
): Promise<void> {
  const now = deps.clock.now();
  const isLater = (j: ScheduledJob) => j.dueAt !== undefined && j.dueAt > now + IMMEDIATE_MARGIN_MS;
  const immediate = await admitted(
    deps,
    jobs.filter((j) => !isLater(j)).map((j) => j.job),
    opts,
  );
  const later = jobs.filter(isLater);
  await Promise.all([
    immediate.length ? deps.work.send(immediate) : Promise.resolve(),
    ...later.map((j) => deps.timers.schedule({ kind: "job", job: j.job }, j.dueAt ?? now)),
  ]);
}

/**
 * The jobs that may go to the queue now: those without concurrency limits, and those that took a
 * lease on each of theirs. The others are parked until a slot frees (core/flow/concurrency.ts).
 */
async function admitted(deps: DispatchDeps, jobs: Job[], opts: DispatchOptions): Promise<Job[]> {
  const fresh = opts.continuing !== true;
  // Side by side: a parked job's place comes from its score, not from the order admitted here.
  const ok = await mapLimited(jobs, ADMIT_CONCURRENCY, async (job) =>
    isLimited(job) ? (await admit(deps, job, { fresh })) === "admitted" : true,
  );
  return jobs.filter((_, i) => ok[i]);
}

/**
 * Sends what a committed transition produced: its jobs, then its outbox (events onto the stream,
 * timers). Everything has a deterministic id, so sending it again after a crash is harmless.
 */
export async function dispatchCommitted(
  deps: DispatchDeps,
  committed: { next?: ScheduledJob[]; outbox?: Outbox | undefined },
  opts: DispatchOptions = {},
): Promise<void> {
  const { next = [], outbox } = committed;
  await Promise.all([
    dispatchJobs(deps, next, opts),
    outbox?.events?.length ? deps.stream.put(outbox.events) : Promise.resolve(),
    ...(outbox?.timers ?? []).map((t) => deps.timers.schedule(t.item, t.dueAt)),
  ]);
}
