/**
 * Throttle (SEMANTICS 5.1): run starts of a function (per key) pass a GCRA, `limit + burst` at
 * once and then one every period/limit. Excess starts are delayed, never dropped: each run
 * reserves the next slot in the order runs are created (FIFO per key), and its start job is due
 * then. Two functions never share a throttle.
 */

import type { FunctionRecord, RunRecord } from "../../domain/schemas.js";
import type { Clock, GateStore } from "../../ports/index.js";
import { flowConfig } from "./config.js";
import { throttleGcra } from "./gcra.js";
import { reserveSlot } from "./gcraState.js";
import { flowKey } from "./keys.js";

/** The throttle's GCRA key for a run: the function and the hashed key value (when keyed). */
export function throttleKey(
  fnSlug: string,
  expression: string | undefined,
  run: Pick<RunRecord, "events">,
): string {
  const first = run.events[0];
  const key = first ? flowKey(expression, first) : "";
  return key ? `throttle:${fnSlug}:${key}` : `throttle:${fnSlug}`;
}

/** When the run may start: undefined for now, else the (whole ms) time of its throttle slot. */
export async function throttledStart(
  deps: { gates: GateStore; clock: Clock },
  fn: FunctionRecord,
  run: Pick<RunRecord, "events">,
): Promise<number | undefined> {
  const throttle = flowConfig(fn).throttle;
  if (!throttle) return undefined;
  const key = throttleKey(fn.slug, throttle.key, run);
  const slot = await reserveSlot(deps.gates, deps.clock, key, throttleGcra(throttle));
  // An undelayed slot is the reservation's own `now`, so it is never after the clock read here.
  return slot.at > deps.clock.now() ? Math.ceil(slot.at) : undefined;
}
