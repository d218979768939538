/**
 * Whether and when a new run starts: singleton (SEMANTICS 5.7) and throttle (5.1).
 */

import type { FunctionRecord, RunRecord } from "../../domain/schemas.js";
import type { CreateRunDeps } from "../runner/createRun.js";

export interface StartGate {
  /** Recorded as Skipped instead of started. */
  skip?: { reason: string; holder?: string };
  /** The singleton lock the run took. */
  singleton?: string;
  /** Not before this time (a throttled start). */
  startAt?: number;
}

export async function startGate(_deps: CreateRunDeps, _fn: FunctionRecord, _run: RunRecord): Promise<StartGate> {
  return {};
}
