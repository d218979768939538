import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";
/** Queries over runs: one run, the runs connection, a run's trace, trigger and span outputs. */
import { NotFoundError, ValidationError } from "../../../../domain/errors.js";
import type { RunRecord, RunStatus, RunSummary } from "../../../../domain/schemas.js";
import type { PageRequest, RunQuery } from "../../../../ports/index.js";
import { readSpanOutput } from "../../../observability/outputs.js";
import { checkFirst, collectPage, decodeCursor, pageInfo } from "../connection.js";
import type { RequestContext } from "../context.js";
import { appUuid } from "../ids.js";
import { isUlid } from "../scalars.js";
import { functionRunStatus, legacyRunNode, runCron, runTraceNode, runV2Node } from "../views/runs.js";

interface RunsFilter {
  from: number;
  until?: number | null;
  timeField?: string | null;
  status?: string[] | null;
  functionIDs?: string[] | null;
  appIDs?: string[] | null;
  isDeferred?: boolean | null;
  query?: string | null;
}

interface RunsArgs {
  first: number;
  after?: string | null;
  orderBy: { field: string; direction: string }[];
  filter: RunsFilter;
}

/** The store's status for each of Inngest's; QUEUED and RUNNING are both Running (told apart after). */
const STORE_STATUS: Record<string, RunStatus | undefined> = {
  QUEUED: "Running",
  RUNNING: "Running",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
  SKIPPED: "Skipped",
};

/** The run store lists by queue time only. */
function orderOf(args: RunsArgs): "asc" | "desc" {
  const by = args.orderBy[0];
  const fields = [args.filter.timeField ?? "QUEUED_AT", by?.field ?? "QUEUED_AT"];
  if (fields.some((f) => f !== "QUEUED_AT")) {
    throw new ValidationError("runs can only be listed by QUEUED_AT");
  }
  return by?.direction === "ASC" ? "asc" : "desc";
}

/** Function UUIDs (or slugs) to slugs; an id that names no function is kept, so it matches nothing. */
async function slugsFor(ctx: RequestContext, ids: string[]): Promise<string[]> {
  const fns = await ctx.listFunctions();
  return ids.flatMap((id) => {
    const found = fns.filter((f) => f.internalId === id || f.slug === id).map((f) => f.slug);
    return found.length > 0 ? found : [id];
  });
}

/** App UUIDs (or app ids) to app ids. */
async function appIdsFor(ctx: RequestContext, ids: string[]): Promise<string[]> {
  const apps = await ctx.listApps();
  return ids.map((id) => apps.find((a) => appUuid(a.appId) === id)?.appId ?? id);
}

async function runQuery(ctx: RequestContext, args: RunsArgs, until: number): Promise<RunQuery> {
  const { filter } = args;
  const statuses = filter.status?.flatMap((s) => STORE_STATUS[s] ?? []);
  return {
    from: filter.from,
    until,
    order: orderOf(args),
    ...(filter.functionIDs ? { fnSlugs: await slugsFor(ctx, filter.functionIDs) } : {}),
    ...(filter.appIDs ? { appIds: await appIdsFor(ctx, filter.appIDs) } : {}),
    ...(statuses ? { statuses: [...new Set(statuses)] } : {}),
  };
}

/** Whether the field being resolved selects `name` directly or through fragments. */
function selects(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === name;
      if (sel.kind === Kind.INLINE_FRAGMENT) return inSet(sel.selectionSet);
      if (seen.has(sel.name.value)) return false;
      seen.add(sel.name.value);
      return inSet(info.fragments[sel.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => inSet(node.selectionSet));
}

async function existingRun(ctx: RequestContext, runId: string): Promise<RunRecord | undefined> {
  return isUlid(runId) ? ctx.run(runId.toUpperCase()) : undefined;
}

async function requireRun(ctx: RequestContext, runId: string): Promise<RunRecord> {
  const run = await existingRun(ctx, runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  return run;
}

export const runQueries = {
  async run(args: { runID: string }, ctx: RequestContext, info: GraphQLResolveInfo) {
    // A query that wants the trace reads the history anyway: read it first and take the run from it.
    // If that read fails, `run` falls back to its own read and only `trace` reports the error.
    if (isUlid(args.runID) && selects(info, "trace")) {
      await ctx.history(args.runID.toUpperCase()).catch(() => undefined);
    }
    const run = await existingRun(ctx, args.runID);
    return run ? runV2Node(ctx, run) : null;
  },

  async functionRun(args: { query: { functionRunId: string } }, ctx: RequestContext) {
    const run = await existingRun(ctx, args.query.functionRunId);
    return run ? legacyRunNode(ctx, run) : null;
  },

  /**
   * totalCount counts what the store can filter: with only one of QUEUED and RUNNING asked for,
   * it counts both.
   */
  async runs(args: RunsArgs, ctx: RequestContext) {
    const first = checkFirst(args.first);
    const { filter } = args;
    if (filter.query?.trim()) throw new ValidationError("filtering runs by a CEL query is not supported");
    const start = args.after ? decodeCursor(args.after) : { s: 0, u: filter.until ?? ctx.now };
    const query = await runQuery(ctx, args, start.u);
    const wanted = filter.status ? new Set<string>(filter.status) : undefined;
    const keep = (run: RunSummary) => !wanted || wanted.has(functionRunStatus(run));
    const list = async (page: PageRequest) => {
      // Tideline has no deferred runs.
      if (filter.isDeferred === true) return { items: [] };
      const { runs, cursor } = await ctx.deps.runs.listRuns(query, page);
      return { items: runs, ...(cursor !== undefined ? { cursor } : {}) };
    };
    const page = await collectPage(list, start, first, keep);
    return {
      edges: page.edges.map((e) => ({ node: runV2Node(ctx, e.item), cursor: e.cursor })),
      pageInfo: pageInfo(page, args.after),
      totalCount: async () => (filter.isDeferred === true ? 0 : ctx.deps.runs.countRuns(query)),
    };
  },

  async runTrace(args: { runID: string }, ctx: RequestContext) {
    const trace = isUlid(args.runID) ? await runTraceNode(ctx, args.runID.toUpperCase()) : null;
    if (!trace) throw new NotFoundError(`run ${args.runID} not found`);
    return trace;
  },

  async runTrigger(args: { runID: string }, ctx: RequestContext) {
    const run = await requireRun(ctx, args.runID);
    const first = run.events[0];
    return {
      eventName: first?.name ?? null,
      IDs: [run.eventId],
      payloads: run.events.map((e) => JSON.stringify(e)),
      timestamp: first?.ts ?? run.startedAt,
      isBatch: run.events.length > 1,
      batchID: null,
      cron: runCron(run),
    };
  },

  async runTraceSpanOutputByID(args: { outputID: string }, ctx: RequestContext) {
    const { data, error } = await readSpanOutput(ctx.deps.runs, args.outputID);
    return {
      input: null,
      data,
      error: error
        ? { message: error.message, name: error.name, stack: error.stack ?? null, cause: error.cause ?? null }
        : null,
    };
  },
};
