/**
 * What an event does to one function it triggers before any run exists when debounce or batching
 * holds it (SEMANTICS 5.3, 5.4); the rate limit and idempotency (5.2, 5.6) are in rateLimit.ts.
 */

import type { AcceptedEvent, FunctionRecord } from "../../domain/schemas.js";
import type { RunnerDeps } from "../runner/types.js";
import { batchEvent } from "./batch.js";
import { flowConfig } from "./config.js";
import { debounceEvent } from "./debounce.js";

/**
 * When a debounce or a batch took the event (its run starts later, from the buffer): the id of
 * that run, recorded on the event; false when the event starts its own run now.
 */
export async function buffered(
  deps: RunnerDeps,
  fn: FunctionRecord,
  accepted: AcceptedEvent,
): Promise<{ runId?: string } | false> {
  const flow = flowConfig(fn);
  if (flow.batch) {
    const runId = await batchEvent(deps, fn, accepted, flow.batch);
    return runId === false ? false : { runId };
  }
  if (!flow.debounce) return false;
  const runId = await debounceEvent(deps, fn, accepted, flow.debounce);
  return runId === undefined ? {} : { runId };
}
