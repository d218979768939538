import { resolveSleepTarget } from "../../../domain/duration.js";
import { LIMITS } from "../../../protocol/constants.js";
import { stepRecord } from "./results.js";
import type { OpHandler } from "./types.js";

/** The shortest sleep that is not "continue now". */
export const MIN_SLEEP_MS = 1000;

/**
 * A sleep's memo (null) is written now and the discovery that reveals it is scheduled for the wake
 * time: the version guard means nothing else can run the function in between.
 */
export const sleep: OpHandler = {
  handle(ctx, op) {
    const target = typeof op.opts?.duration === "string" && !op.name ? op.opts.duration : (op.name ?? "");
    let wakeAt: number;
    try {
      wakeAt = resolveSleepTarget(target, ctx.now);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return {
        fail: { name: "Error", message: `invalid sleep "${target}": ${reason}` },
        summary: "bad sleep",
      };
    }
    if (wakeAt - ctx.now > LIMITS.sleepMaxMs) {
      return {
        fail: { name: "Error", message: "sleeps may last at most one year" },
        summary: "sleep too long",
      };
    }
    // A wake less than a second away waits the second (as the JS SDK's own durations do): the
    // timers have second precision, and a Python sleep of 200 ms arrives as an instant.
    if (wakeAt > ctx.now && wakeAt - ctx.now < MIN_SLEEP_MS) wakeAt = ctx.now + MIN_SLEEP_MS;
    const later = wakeAt > ctx.now;
    return {
      steps: [stepRecord(ctx, op, null, { at: later ? wakeAt : ctx.now, startedAt: ctx.now })],
      continueWith: later ? { kind: "discover", at: wakeAt } : { kind: "discover" },
      exclusive: true,
      summary: "sleeping",
    };
  },
};
