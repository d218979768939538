/**
 * Tideline's own fields: what a run cost on AWS (`FunctionRunV2.awsCost`) and a function's recent
 * runs with their cost (`Function.runStats`). Usage is recorded per job by the handlers.
 */
import { addRunUsage, NO_RUN_USAGE } from "../../../../domain/awsUsage.js";
import type { RunSummary } from "../../../../domain/schemas.js";
import { awsCostView } from "../../../observability/awsCost.js";
import type { RequestContext } from "../context.js";

/** runStats counts at most this many runs (the newest); beyond, it says it is truncated. */
export const RUN_STATS_LIMIT = 1000;

export async function runAwsCost(ctx: RequestContext, runId: string) {
  const usage = await ctx.usage(runId);
  return usage ? awsCostView(usage) : null;
}

export async function functionRunStats(ctx: RequestContext, fnSlug: string, from: number) {
  // The newest RUN_STATS_LIMIT runs and one more (there were more), asked for at once: pages of
  // 100 would each read ahead past the function filter and read that again on the next page. A
  // store may answer a page short; then the rest is asked for.
  const runs: RunSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.deps.runs.listRuns(
      { from, until: ctx.now, fnSlugs: [fnSlug] },
      { limit: RUN_STATS_LIMIT + 1 - runs.length, ...(cursor ? { cursor } : {}) },
    );
    runs.push(...page.runs);
    cursor = page.cursor;
  } while (cursor && runs.length <= RUN_STATS_LIMIT);
  const counted = runs.slice(0, RUN_STATS_LIMIT);
  const counts = { running: 0, completed: 0, failed: 0, cancelled: 0, skipped: 0 };
  const field = {
    Running: "running",
    Completed: "completed",
    Failed: "failed",
    Cancelled: "cancelled",
    Skipped: "skipped",
  } as const;
  for (const run of counted) counts[field[run.status]] += 1;
  const usages = await ctx.usages(counted.map((r) => r.runId));
  const total = [...usages.values()].reduce(addRunUsage, NO_RUN_USAGE);
  return {
    total: counted.length,
    ...counts,
    // Without a usage store nothing was recorded: no cost, rather than a cost of $0.
    awsCostUsd: ctx.deps.runUsage ? awsCostView(total).usd : null,
    truncated: runs.length > RUN_STATS_LIMIT,
  };
}
