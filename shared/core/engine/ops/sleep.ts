import { resolveSleepTarget } from "../../../domain/duration.js";
import { LIMITS } from "../../../protocol/constants.js";
import { stepRecord } from "./results.js";
import type { OpHandler } from "./types.js";

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
    const later = wakeAt > ctx.now;
    return {
      steps: [stepRecord(ctx, op, null, { at: later ? wakeAt : ctx.now, startedAt: ctx.now })],
      continueWith: later ? { kind: "discover", at: wakeAt } : { kind: "discover" },
      exclusive: true,
      summary: "sleeping",
    };
  },
};
