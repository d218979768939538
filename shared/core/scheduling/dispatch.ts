import type { Outbox, ScheduledJob } from "../../domain/schemas.js";
import type { Clock, EventStream, TimerService, WorkQueue } from "../../ports/index.js";

export interface DispatchDeps {
  work: WorkQueue;
  timers: TimerService;
  /** System events, invokes and deferred runs go through the Event API's stream. */
  stream: EventStream;
  clock: Clock;
}

/** Jobs due within this margin go straight to the work queue (clock noise, not a delay). */
const IMMEDIATE_MARGIN_MS = 50;

/**
 * Sends jobs: due ones to the FIFO work queue (in order, so a group's jobs keep their order), later
 * ones through the timers. Every job of the engine, the runner and the recovery sweep leaves here.
 */
export async function dispatchJobs(deps: DispatchDeps, jobs: ScheduledJob[]): Promise<void> {
  const now = deps.clock.now();
  const isLater = (j: ScheduledJob) => j.dueAt !== undefined && j.dueAt > now + IMMEDIATE_MARGIN_MS;
  const immediate = jobs.filter((j) => !isLater(j)).map((j) => j.job);
  const later = jobs.filter(isLater);
  await Promise.all([
    immediate.length ? deps.work.send(immediate) : Promise.resolve(),
    ...later.map((j) => deps.timers.schedule({ kind: "job", job: j.job }, j.dueAt ?? now)),
  ]);
}

/**
 * Sends what a committed transition produced: its jobs, then its outbox (events onto the stream,
 * timers). Everything has a deterministic id, so sending it again after a crash is harmless.
 */
export async function dispatchCommitted(
  deps: DispatchDeps,
  committed: { next?: ScheduledJob[]; outbox?: Outbox | undefined },
): Promise<void> {
  const { next = [], outbox } = committed;
  await Promise.all([
    dispatchJobs(deps, next),
    outbox?.events?.length ? deps.stream.put(outbox.events) : Promise.resolve(),
    ...(outbox?.timers ?? []).map((t) => deps.timers.schedule(t.item, t.dueAt)),
  ]);
}
