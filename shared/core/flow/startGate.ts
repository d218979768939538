/**
 * Whether and when a new run starts: singleton (SEMANTICS 5.7) and throttle (5.1).
 */

import type { FunctionRecord, RunRecord } from "../../domain/schemas.js";
import type { CreateRunDeps } from "../runner/types.js";
import { flowConfig } from "./config.js";
import { claimSingleton } from "./singleton.js";
import { throttledStart } from "./throttle.js";

export interface StartGate {
  /** Recorded as Skipped instead of started. */
  skip?: { reason: string; holder?: string };
  /** The singleton lock the run took. */
  singleton?: string;
  /** Not before this time (a throttled start). */
  startAt?: number;
}

/**
 * The singleton lock first (a skipped run takes no throttle slot), then the throttle slot. A run
 * that exists already (a redelivered event, a retried flush) claims and reserves nothing again:
 * createRun finds it and goes by what was stored.
 */
export async function startGate(deps: CreateRunDeps, fn: FunctionRecord, run: RunRecord): Promise<StartGate> {
  const flow = flowConfig(fn);
  if (!flow.singleton && !flow.throttle) return {};
  if (await deps.runs.getRun(run.runId)) return {};
  const gate: StartGate = {};
  const singleton = await claimSingleton(deps, fn, run);
  if (singleton && "skip" in singleton) return { skip: singleton.skip };
  if (singleton) gate.singleton = singleton.lock;
  const startAt = await throttledStart(deps, fn, run);
  if (startAt !== undefined) gate.startAt = startAt;
  return gate;
}
