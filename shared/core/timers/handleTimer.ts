import type { TimerMessage } from "../../domain/schemas.js";
import { deliverTimer, type TimerKindDeps } from "../scheduling/timerKinds.js";

/** Items up to this early are held in the handler for the rest of their wait, then delivered. */
const EARLY_TOLERANCE_MS = 1000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A timer message arrived (from an SQS delay or from a Scheduler at() aimed early). If it is more
 * than a second early it is delayed again for the remainder; SQS delays are whole seconds (rounded
 * down), so it then arrives less than a second early, and waits here for the rest: wake-ups land
 * at their time, give or take the queue's own latency.
 */
export async function handleTimer(
  deps: TimerKindDeps & { wait?: (ms: number) => Promise<void> },
  message: TimerMessage,
): Promise<"delivered" | "redelayed"> {
  const early = message.dueAt - deps.clock.now();
  if (early > EARLY_TOLERANCE_MS) {
    await deps.timers.schedule(message.item, message.dueAt);
    return "redelayed";
  }
  if (early > 0) await (deps.wait ?? pause)(early);
  await deliverTimer(deps, message.item);
  return "delivered";
}
