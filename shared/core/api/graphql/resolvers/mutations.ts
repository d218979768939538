/** Mutations: through runActions, as the REST API and the dashboard act on runs. */
import { ValidationError } from "../../../../domain/errors.js";
import { cancelRun, replayEvents, rerunRun, sendEvents } from "../../runActions.js";
import type { RequestContext } from "../context.js";
import { legacyRunNode } from "../views/runs.js";

interface RerunArgs {
  runID: string;
  fromStep?: { stepID: string; input?: unknown } | null;
}

export const mutations = {
  async cancelRun(args: { runID: string }, ctx: RequestContext) {
    const run = await cancelRun(ctx.deps, args.runID);
    ctx.primeRun(run);
    return legacyRunNode(ctx, run);
  },

  /** The new run's id. Debug-session arguments are accepted and ignored. */
  async rerun(args: RerunArgs, ctx: RequestContext) {
    const { fromStep } = args;
    if (fromStep && fromStep.input !== undefined && fromStep.input !== null) {
      throw new ValidationError("rerunning from a step with a replaced input is not supported");
    }
    return rerunRun(ctx.deps, args.runID, fromStep ? { fromStepId: fromStep.stepID } : {});
  },

  async sendEvent(args: { payload: string }, ctx: RequestContext) {
    return sendEvents(ctx.deps, args.payload);
  },

  /** `from` and `until` arrive as epoch ms (the Time scalar's parsed value). */
  async replayEvents(args: { functionSlug: string; from: number; until: number }, ctx: RequestContext) {
    return replayEvents(ctx.deps, { fnSlug: args.functionSlug, from: args.from, until: args.until });
  },
};
