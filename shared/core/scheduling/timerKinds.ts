import type { TimerItem } from "../../domain/schemas.js";
import type { RunStore } from "../../ports/index.js";
import { recoverStalledRuns } from "../recovery/sweep.js";
import type { DispatchDeps } from "./dispatch.js";

export interface TimerKindDeps extends DispatchDeps {
  runs: RunStore;
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

/**
 * What each kind of timer does when it falls due. Wait timeouts, debounce and batch flushes
 * (issues 11 and 13) add their kinds here and to the timer item schema.
 */
export const TIMER_KINDS: Handlers = {
  job: (deps, item) => deps.work.send([item.job]),
  sweep: async (deps, item) => {
    await recoverStalledRuns(deps, { dueBefore: item.dueBefore ?? deps.clock.now() - SWEEP_GRACE_MS });
  },
};

export function deliverTimer(deps: TimerKindDeps, item: TimerItem): Promise<void> {
  switch (item.kind) {
    case "job":
      return TIMER_KINDS.job(deps, item);
    case "sweep":
      return TIMER_KINDS.sweep(deps, item);
  }
}
