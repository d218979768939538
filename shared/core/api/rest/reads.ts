/**
 * The read side of REST v1: events, runs, a run's jobs and an app's functions, each answered in
 * Inngest's `{data, metadata}` envelope (listings add `cursor` while more pages remain).
 */
import * as z from "zod";
import { NotFoundError } from "../../../domain/errors.js";
import type { Clock, EventStore, RegistryStore, RunStore } from "../../../ports/index.js";
import { runJobs } from "./jobs.js";
import {
  cursorParam,
  encodeCursor,
  limitParam,
  listParam,
  MAX_PAGE,
  statusParam,
  timeParam,
  timeWindow,
} from "./params.js";
import type {
  eventAnswerSchema,
  eventListSchema,
  functionsAnswerSchema,
  runAnswerSchema,
  runJobsAnswerSchema,
  runListSchema,
  runsAnswerSchema,
} from "./schemas.js";
import { eventView, functionView, responseMetadata, runView } from "./views.js";

export interface ReadDeps {
  runs: RunStore;
  events: EventStore;
  registry: RegistryStore;
  clock: Clock;
}

const HOUR_MS = 60 * 60 * 1000;
/** Inngest lists the last hour of events unless told otherwise. */
const EVENTS_DEFAULT_SPAN_MS = HOUR_MS;
const RUNS_DEFAULT_SPAN_MS = 24 * HOUR_MS;

/** Run and event ids are ULIDs; anything else cannot exist (and is not sent to a store). */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;
export const isUlid = (id: string): boolean => ULID.test(id);

export const eventsQuery = z.object({
  name: z.string().min(1).optional().describe("Only events with this name"),
  received_after: timeParam(
    "Events received at or after this time (default: an hour before received_before)",
  ).optional(),
  received_before: timeParam("Events received at or before this time (default: now)").optional(),
  cursor: cursorParam("events"),
  limit: limitParam,
});

export async function listEvents(
  deps: ReadDeps,
  q: z.output<typeof eventsQuery>,
): Promise<z.infer<typeof eventListSchema>> {
  const now = deps.clock.now();
  const range = { from: q.received_after, until: q.received_before, cursor: q.cursor };
  const { from, until } = timeWindow(range, now, EVENTS_DEFAULT_SPAN_MS, [
    "received_after",
    "received_before",
  ]);
  const page = await deps.events.listEvents(
    // Asking for an event name by name includes system events (inngest/function.finished…).
    { from, until, ...(q.name ? { names: [q.name], includeInternal: true } : {}) },
    { limit: q.limit ?? MAX_PAGE, ...(q.cursor ? { cursor: q.cursor.store } : {}) },
  );
  return {
    data: page.events.map(eventView),
    metadata: responseMetadata(now),
    ...(page.cursor ? { cursor: encodeCursor("events", { store: page.cursor, from, until }) } : {}),
  };
}

export async function getEvent(deps: ReadDeps, eventId: string): Promise<z.infer<typeof eventAnswerSchema>> {
  const event = isUlid(eventId) ? await deps.events.getEvent(eventId) : undefined;
  if (!event) throw new NotFoundError(`event ${eventId} not found`);
  return { data: eventView(event), metadata: responseMetadata(deps.clock.now()) };
}

export async function getEventRuns(
  deps: ReadDeps,
  eventId: string,
): Promise<z.infer<typeof runsAnswerSchema>> {
  const event = isUlid(eventId) ? await deps.events.getEvent(eventId) : undefined;
  if (!event) throw new NotFoundError(`event ${eventId} not found`);
  const runs = await deps.runs.listRunsForEvent(eventId);
  runs.sort((a, b) => a.startedAt - b.startedAt);
  return { data: runs.map((r) => runView(r)), metadata: responseMetadata(deps.clock.now()) };
}

export const runsQuery = z.object({
  function_id: listParam("Only runs of these functions (slugs)").optional(),
  app_id: listParam("Only runs of these apps").optional(),
  status: statusParam.optional(),
  from: timeParam("Runs queued at or after this time (default: 24 hours before until)").optional(),
  until: timeParam("Runs queued at or before this time (default: now)").optional(),
  order: z
    .enum(["asc", "desc"])
    .optional()
    .describe("By queue time: newest first (desc, the default) or oldest"),
  cursor: cursorParam("runs"),
  limit: limitParam,
});

/** An empty list parameter (`?status=`) filters nothing rather than everything. */
const nonEmpty = (list: string[] | undefined) => (list && list.length > 0 ? list : undefined);

export async function listRuns(
  deps: ReadDeps,
  q: z.output<typeof runsQuery>,
): Promise<z.infer<typeof runListSchema>> {
  const now = deps.clock.now();
  const { from, until } = timeWindow(q, now, RUNS_DEFAULT_SPAN_MS, ["from", "until"]);
  const fnSlugs = nonEmpty(q.function_id);
  const appIds = nonEmpty(q.app_id);
  const statuses = q.status && q.status.length > 0 ? q.status : undefined;
  const page = await deps.runs.listRuns(
    {
      from,
      until,
      ...(fnSlugs ? { fnSlugs } : {}),
      ...(appIds ? { appIds } : {}),
      ...(statuses ? { statuses } : {}),
      ...(q.order ? { order: q.order } : {}),
    },
    { limit: q.limit ?? MAX_PAGE, ...(q.cursor ? { cursor: q.cursor.store } : {}) },
  );
  return {
    data: page.runs.map((r) => runView(r)),
    metadata: responseMetadata(now),
    ...(page.cursor ? { cursor: encodeCursor("runs", { store: page.cursor, from, until }) } : {}),
  };
}

export async function getRun(deps: ReadDeps, runId: string): Promise<z.infer<typeof runAnswerSchema>> {
  const run = isUlid(runId) ? await deps.runs.getRun(runId) : undefined;
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  return { data: runView(run), metadata: responseMetadata(deps.clock.now()) };
}

export async function getRunJobs(
  deps: ReadDeps,
  runId: string,
): Promise<z.infer<typeof runJobsAnswerSchema>> {
  const history = isUlid(runId) ? await deps.runs.getRunHistory(runId) : undefined;
  if (!history) throw new NotFoundError(`run ${runId} not found`);
  const now = deps.clock.now();
  return { data: runJobs(history, now), metadata: responseMetadata(now) };
}

export async function getAppFunctions(
  deps: ReadDeps,
  appId: string,
): Promise<z.infer<typeof functionsAnswerSchema>> {
  const app = await deps.registry.getApp(appId);
  if (!app) throw new NotFoundError(`app ${appId} not found`);
  const functions = (await deps.registry.listFunctions())
    .filter((f) => f.appId === app.appId)
    .sort((a, b) => a.slug.localeCompare(b.slug));
  return { data: functions.map(functionView), metadata: responseMetadata(deps.clock.now()) };
}
