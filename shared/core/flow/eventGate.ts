/**
 * What an event does to one function it triggers before any run exists: a rate limit or
 * idempotency key may skip it (SEMANTICS 5.2, 5.6), debounce or batching may hold it (5.3, 5.4).
 */

import type { AcceptedEvent, FunctionRecord } from "../../domain/schemas.js";
import type { RunnerDeps } from "../runner/types.js";

/** Why the event starts no run of `fn` (recorded as a Skipped run), or undefined. */
export async function rateLimited(
  _deps: RunnerDeps,
  _fn: FunctionRecord,
  _accepted: AcceptedEvent,
): Promise<{ reason: string } | undefined> {
  return undefined;
}

/** True when a debounce or a batch took the event: its run starts later, from the buffer. */
export async function buffered(_deps: RunnerDeps, _fn: FunctionRecord, _accepted: AcceptedEvent): Promise<boolean> {
  return false;
}
