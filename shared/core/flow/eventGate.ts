/**
 * What an event does to one function it triggers before any run exists: a rate limit or
 * idempotency key may skip it (SEMANTICS 5.2, 5.6), debounce or batching may hold it (5.3, 5.4).
 */

import type { AcceptedEvent, FunctionRecord } from "../../domain/schemas.js";
import type { RunnerDeps } from "../runner/types.js";
import { batchEvent } from "./batch.js";
import { flowConfig } from "./config.js";
import { debounceEvent } from "./debounce.js";
import { rateLimit } from "./rateLimit.js";

/** Why the event starts no run of `fn` (recorded as a Skipped run), or undefined. */
export async function rateLimited(
  deps: RunnerDeps,
  fn: FunctionRecord,
  accepted: AcceptedEvent,
): Promise<{ reason: string } | undefined> {
  return rateLimit(deps, fn, accepted);
}

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
