import type { TimerMessage } from "../../domain/schemas.js";
import { deliverTimer, type TimerKindDeps } from "../scheduling/timerKinds.js";

/** Items up to this early are delivered now (SQS delays have second precision). */
const EARLY_TOLERANCE_MS = 1000;

/**
 * A timer message arrived (from SQS DelaySeconds or from a Scheduler at() aimed early). If it is
 * still early it is delayed again for the remainder, so wake-ups land within about a second.
 */
export async function handleTimer(
  deps: TimerKindDeps,
  message: TimerMessage,
): Promise<"delivered" | "redelayed"> {
  if (message.dueAt - deps.clock.now() > EARLY_TOLERANCE_MS) {
    await deps.timers.schedule(message.item, message.dueAt);
    return "redelayed";
  }
  await deliverTimer(deps, message.item);
  return "delivered";
}
