import { NotFoundError } from "../../domain/errors.js";
import type { RunRecord, TimerItem } from "../../domain/schemas.js";
import type {
  BufferStore,
  CancellationStore,
  GateStore,
  PauseStore,
  RegistryStore,
  RunStore,
} from "../../ports/index.js";
import { fireCron } from "../cron/fireCron.js";
import { batchTimerDue } from "../flow/batch.js";
import { checkKey } from "../flow/concurrency.js";
import { debounceTimerDue } from "../flow/debounce.js";
import { resumePause, timeoutValue } from "../pauses/resume.js";
import { recoverStalledRuns } from "../recovery/sweep.js";
import { bulkCancelPage } from "../runs/bulkCancel.js";
import { cancelRun } from "../runs/cancel.js";
import { type DispatchDeps, dispatchJobs } from "./dispatch.js";

export interface TimerKindDeps extends DispatchDeps {
  runs: RunStore;
  pauses: PauseStore;
  registry: RegistryStore;
  cancellations: CancellationStore;
  /** Debounce and batch buffers: their timers fire and flush them. */
  buffers: BufferStore;
  /** Runs created by timers (flushes) pass the flow gates too. */
  gates: GateStore;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * How long a run's pending job may stay overdue before the periodic sweep sends it again: above
 * the work queue's visibility timeout (960 s), so a job that is still being worked on (or waits
 * to be redelivered after a crash) is not counted as lost.
 */
export const SWEEP_GRACE_MS = 20 * 60 * 1000;

type Handlers = {
  [K in TimerItem["kind"]]: (deps: TimerKindDeps, item: Extract<TimerItem, { kind: K }>) => Promise<void>;
};

/** What each kind of timer does when it falls due. */
export const TIMER_KINDS: Handlers = {
  job: (deps, item) => dispatchJobs(deps, [{ job: item.job }]),
  // A concurrency key with parked jobs: slots of executors that died come back here.
  flowCheck: (deps, item) => checkKey(deps, { key: item.key, limit: item.limit }),
  sweep: async (deps, item) => {
    await recoverStalledRuns(deps, { dueBefore: item.dueBefore ?? deps.clock.now() - SWEEP_GRACE_MS });
  },
  // Nothing matched before the wait expired: it resumes with the timeout's value, unless an event
  // consumed the pause first (then this finds it gone and does nothing).
  pauseTimeout: async (deps, item) => {
    await resumePause(deps, item.runId, item.pause, timeoutValue(item.pause.kind));
  },
  // timeouts.start: cancelled if no request has begun; timeouts.finish: cancelled if still running.
  runTimeout: async (deps, item) => {
    // A run whose first request began (and committed) while this timer ran is spared too.
    const started = (run: RunRecord) => item.which === "start" && run.firstAttemptAt !== undefined;
    await cancelRun(deps, item.runId, `timeouts.${item.which}`, started).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
  },
  // A bulk cancellation: one page of the runs it covers; the page schedules the next.
  cancellation: async (deps, item) => {
    await bulkCancelPage(deps, item.cancellationId, item.cursor);
  },
  // A cron trigger's tick: its event on the stream (after its jitter), and a chain's next tick.
  cron: (deps, item) => fireCron(deps, item),
  // A debounce cycle's fire or a batch cycle's flush, if that cycle is still there.
  debounce: (deps, item) => debounceTimerDue(deps, item),
  batch: (deps, item) => batchTimerDue(deps, item),
};

export function deliverTimer(deps: TimerKindDeps, item: TimerItem): Promise<void> {
  switch (item.kind) {
    case "job":
      return TIMER_KINDS.job(deps, item);
    case "sweep":
      return TIMER_KINDS.sweep(deps, item);
    case "pauseTimeout":
      return TIMER_KINDS.pauseTimeout(deps, item);
    case "runTimeout":
      return TIMER_KINDS.runTimeout(deps, item);
    case "cancellation":
      return TIMER_KINDS.cancellation(deps, item);
    case "cron":
      return TIMER_KINDS.cron(deps, item);
    case "flowCheck":
      return TIMER_KINDS.flowCheck(deps, item);
    case "debounce":
      return TIMER_KINDS.debounce(deps, item);
    case "batch":
      return TIMER_KINDS.batch(deps, item);
  }
}
