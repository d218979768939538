/**
 * Counting runs where their writes commit. Every path that starts a run (events, flushes, crons,
 * invokes, reruns) stores it with `createRun`, and every path that ends one (the executor's
 * decisions, checkpoints, resumed waits, cancellations) commits the final status with
 * `commitTransition`, which succeeds once per run version: so counting the successful writes
 * counts each run once, whichever path it took and however often its job or event is delivered
 * again (a redelivery finds the run existing, or loses the version race, and writes nothing).
 */
import type { RunStatus } from "../../domain/schemas.js";
import type { RunStore } from "../../ports/index.js";
import type { CountMetric, Metrics } from "../../ports/metrics.js";

const ENDED: Partial<Record<RunStatus, CountMetric>> = {
  Completed: "runsCompleted",
  Failed: "runsFailed",
  Cancelled: "runsCancelled",
};

/**
 * `runs`, counting runs started (created Running: a Skipped run never starts) and runs ended by
 * their final status. Every other method is the store's own.
 */
export function countingRunStore(runs: RunStore, metrics: Metrics): RunStore {
  const createRun: RunStore["createRun"] = async (run, idempotency, pauses) => {
    const result = await runs.createRun(run, idempotency, pauses);
    if (result === "created" && run.status === "Running") metrics.count("runsStarted");
    return result;
  };
  const commitTransition: RunStore["commitTransition"] = async (runId, expectVersion, transition) => {
    const committed = await runs.commitTransition(runId, expectVersion, transition);
    const ended = transition.set.status && ENDED[transition.set.status];
    if (committed && ended) metrics.count(ended);
    return committed;
  };
  return new Proxy(runs, {
    get(target, key) {
      if (key === "createRun") return createRun;
      if (key === "commitTransition") return commitTransition;
      const value: unknown = Reflect.get(target, key, target);
      // The store's methods run on the store itself (its private fields are not on the proxy).
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
