/**
 * The REST v1 route table: Inngest's paths (plus Tideline's run listing, rerun and replays), and
 * the v0 run state paths the SDK reads under `use_api`, each with its OpenAPI operation. All need
 * the signing key in cloud mode.
 */

import { ValidationError } from "../../../domain/errors.js";
import { LIMITS } from "../../../protocol/constants.js";
import { stepOpSchema } from "../../../protocol/sdkResponse.js";
import { checkpointSteps } from "../../engine/checkpoint.js";
import { recordUserlandSpans } from "../../observability/otlp.js";
import { otlpProtobufToJson } from "../../observability/otlpProtobuf.js";
import type { ReplayDeps, SendDeps } from "../runActions.js";
import {
  type CancellationDeps,
  cancellationsQuery,
  createCancellation,
  deleteCancellation,
  listCancellations,
} from "./cancellations.js";
import {
  eventsQuery,
  getAppFunctions,
  getEvent,
  getEventRuns,
  getRun,
  getRunJobs,
  listEvents,
  listRuns,
  runsQuery,
} from "./reads.js";
import {
  cancellationRequestSchema,
  checkpointRequestSchema,
  otlpRequestDoc,
  replayRequestSchema,
  rerunRequestSchema,
  runMetadataRequestSchema,
  sendEventsRequestSchema,
  signalRequestSchema,
} from "./requests.js";
import { type ApiAnswer, type ApiRoute, bodyRoute, queryRoute, route } from "./route.js";
import { getRunActions, getRunBatch } from "./runState.js";
import {
  cancellationAnswerSchema,
  cancellationListSchema,
  emptyAnswerSchema,
  eventAnswerSchema,
  eventIdsAnswerSchema,
  eventListSchema,
  functionsAnswerSchema,
  metadataAnswerSchema,
  otlpAnswerSchema,
  runActionsAnswerSchema,
  runAnswerSchema,
  runBatchAnswerSchema,
  runIdAnswerSchema,
  runIdsAnswerSchema,
  runJobsAnswerSchema,
  runListSchema,
  runsAnswerSchema,
} from "./schemas.js";
import { type SignalDeps, sendSignal } from "./signals.js";
import { cancelRunView, recordMetadata, replay, replayRun, rerun, sendEventsView } from "./writes.js";

export interface RestDeps extends ReplayDeps, SendDeps, CancellationDeps, SignalDeps {}

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
const param = (params: Record<string, string>, name: string): string => params[name] ?? "";

const RUN_ID = { runId: "The run's id (a ULID)" };
const EVENT_ID = { eventId: "The event's internal id (a ULID)" };
const CANCELLATION_ID = { cancellationId: "The cancellation's id (a ULID)" };

export function restRoutes(deps: RestDeps): ApiRoute[] {
  return [
    queryRoute(
      {
        method: "GET",
        path: "/v1/events",
        auth: "key",
        query: eventsQuery,
        doc: {
          operationId: "listEvents",
          summary: "List received events, newest first",
          tags: ["events"],
          responses: { 200: { description: "A page of events", schema: eventListSchema } },
          errors: [400],
        },
      },
      async (_req, q) => ok(await listEvents(deps, q)),
    ),
    route(
      {
        method: "POST",
        path: "/v1/events",
        auth: "key",
        doc: {
          operationId: "sendEvents",
          summary: "Send events",
          description:
            "Sends events with the signing key instead of an event key (the dashboard's test events).",
          tags: ["events"],
          requestBody: sendEventsRequestSchema,
          responses: { 200: { description: "The events were accepted", schema: eventIdsAnswerSchema } },
          errors: [400, 413],
        },
      },
      async (req) => ok(await sendEventsView(deps, req.body)),
    ),
    route(
      {
        method: "GET",
        path: "/v1/events/{eventId}",
        auth: "key",
        doc: {
          operationId: "getEvent",
          summary: "Get a received event",
          tags: ["events"],
          params: EVENT_ID,
          responses: { 200: { description: "The event", schema: eventAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await getEvent(deps, param(req.params, "eventId"))),
    ),
    route(
      {
        method: "GET",
        path: "/v1/events/{eventId}/runs",
        auth: "key",
        doc: {
          operationId: "getEventRuns",
          summary: "List the runs an event started",
          tags: ["events", "runs"],
          params: EVENT_ID,
          responses: { 200: { description: "The runs, oldest first", schema: runsAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await getEventRuns(deps, param(req.params, "eventId"))),
    ),
    queryRoute(
      {
        method: "GET",
        path: "/v1/runs",
        auth: "key",
        query: runsQuery,
        doc: {
          operationId: "listRuns",
          summary: "List runs",
          description:
            "A Tideline addition (Inngest's REST v1 has no run listing). Runs have no `output` here.",
          tags: ["runs"],
          responses: { 200: { description: "A page of runs", schema: runListSchema } },
          errors: [400],
        },
      },
      async (_req, q) => ok(await listRuns(deps, q)),
    ),
    route(
      {
        method: "GET",
        path: "/v1/runs/{runId}",
        auth: "key",
        doc: {
          operationId: "getRun",
          summary: "Get a run",
          tags: ["runs"],
          params: RUN_ID,
          responses: { 200: { description: "The run", schema: runAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await getRun(deps, param(req.params, "runId"))),
    ),
    route(
      {
        method: "DELETE",
        path: "/v1/runs/{runId}",
        auth: "key",
        doc: {
          operationId: "cancelRun",
          summary: "Cancel a run",
          description:
            "A run that already ended is left as it is. Inngest answers with no body; Tideline gives the run.",
          tags: ["runs"],
          params: RUN_ID,
          responses: { 200: { description: "The run after the cancel", schema: runAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await cancelRunView(deps, param(req.params, "runId"))),
    ),
    route(
      {
        method: "GET",
        path: "/v1/runs/{runId}/jobs",
        auth: "key",
        doc: {
          operationId: "getRunJobs",
          summary: "List a run's jobs",
          description:
            "Inngest lists the run's items still queued; Tideline lists the run's history (step results and " +
            "failed attempts, oldest first) followed by the jobs it is waiting on, with the same at/kind/attempt names.",
          tags: ["runs"],
          params: RUN_ID,
          responses: { 200: { description: "The run's jobs", schema: runJobsAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await getRunJobs(deps, param(req.params, "runId"))),
    ),
    bodyRoute(
      {
        method: "POST",
        path: "/v1/checkpoint/{runId}/async",
        auth: "key",
        body: checkpointRequestSchema,
        // A step's output may be 4 MiB; one checkpoint may carry a few buffered steps.
        limits: { maxBytes: LIMITS.sdkResponseMaxBytes, maxDepth: LIMITS.sdkResponseMaxDepth },
        doc: {
          operationId: "checkpointAsync",
          summary: "Store steps the SDK ran in-process (async checkpointing)",
          description:
            "The JS SDK posts each step it ran during an execution request whose `ctx` carried `fn_id` and " +
            "`qi_id`. Idempotent: a step already stored keeps its first result. 409 when the job is no longer " +
            "running (the SDK stops), 413 for an output over 4 MiB or run state over 32 MiB, 400 for ops that " +
            "cannot be checkpointed.",
          tags: ["sdk", "runs"],
          params: RUN_ID,
          responses: { 200: { description: "Stored", schema: emptyAnswerSchema } },
          errors: [400, 409, 413],
        },
      },
      async (req, body) => {
        const result = await checkpointSteps(deps, {
          runId: param(req.params, "runId"),
          jobId: body.qi_id,
          steps: body.steps.map((op) => stepOpSchema.parse(op)),
        });
        if (result.status === 200) return ok({});
        return { status: result.status, body: { status: result.status, error: result.message } };
      },
    ),
    route(
      {
        method: "GET",
        path: "/v0/runs/{runId}/batch",
        auth: "key",
        doc: {
          operationId: "getRunBatch",
          summary: "A run's events (read by the SDK under use_api)",
          description:
            "When an execution request would exceed 4 MiB, Tideline sends it with `use_api: true` and empty " +
            "`events`; the SDK reads them here. A bare array, no envelope. 400 for an id that is not a ULID.",
          tags: ["sdk", "runs"],
          params: RUN_ID,
          responses: { 200: { description: "The run's events", schema: runBatchAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await getRunBatch(deps, param(req.params, "runId"))),
    ),
    route(
      {
        method: "GET",
        path: "/v0/runs/{runId}/actions",
        auth: "key",
        doc: {
          operationId: "getRunActions",
          summary: "A run's stored steps (read by the SDK under use_api)",
          description:
            "When an execution request would exceed 4 MiB, Tideline sends it with `use_api: true` and empty " +
            "`steps`; the SDK reads them here. A bare object, no envelope. 400 for an id that is not a ULID.",
          tags: ["sdk", "runs"],
          params: RUN_ID,
          responses: { 200: { description: "The run's steps by hashed id", schema: runActionsAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await getRunActions(deps, param(req.params, "runId"))),
    ),
    bodyRoute(
      {
        method: "POST",
        path: "/v1/runs/{runId}/rerun",
        auth: "key",
        body: rerunRequestSchema,
        doc: {
          operationId: "rerunRun",
          summary: "Rerun a run",
          description: "Starts a new run with the same events, optionally from a step (a Tideline addition).",
          tags: ["runs"],
          params: RUN_ID,
          responses: { 200: { description: "The new run", schema: runIdAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req, body) => ok(await rerun(deps, param(req.params, "runId"), body)),
    ),
    route(
      {
        method: "POST",
        path: "/v1/runs/{runId}/replay",
        auth: "key",
        doc: {
          operationId: "replayRun",
          summary: "Replay a run",
          description: "Starts a new run with the same events, from the start (a Tideline addition).",
          tags: ["runs"],
          params: RUN_ID,
          responses: { 200: { description: "The new run", schema: runIdAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await replayRun(deps, param(req.params, "runId"))),
    ),
    bodyRoute(
      {
        method: "POST",
        path: "/v1/replays",
        auth: "key",
        body: replayRequestSchema,
        doc: {
          operationId: "replayEvents",
          summary: "Replay a function over a window of events",
          description:
            "For each run of the function started by an event received in [from, until], starts a new run with " +
            "the same events (a Tideline addition). At most 1,000 runs per request: a wider window is a 400.",
          tags: ["runs"],
          responses: { 200: { description: "The new runs, oldest first", schema: runIdsAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (_req, body) => ok(await replay(deps, body)),
    ),
    route(
      {
        method: "POST",
        path: "/v1/runs/{runId}/metadata",
        auth: "key",
        doc: {
          operationId: "addRunMetadata",
          summary: "Add metadata to a run, a step or an attempt",
          tags: ["runs"],
          params: RUN_ID,
          requestBody: runMetadataRequestSchema,
          responses: { 200: { description: "The metadata was stored", schema: metadataAnswerSchema } },
          errors: [400, 404, 413],
        },
      },
      async (req) => ok(await recordMetadata(deps, param(req.params, "runId"), req.body)),
    ),
    route(
      {
        method: "POST",
        path: "/v1/traces/userland",
        auth: "key",
        doc: {
          operationId: "exportUserlandSpans",
          summary: "Spans the app's OpenTelemetry instrumentation produced in a run (OTLP/HTTP JSON)",
          description:
            "What the SDK's tracing middleware exports. Spans carry their run (`sdk.run.id`) and step " +
            "(`inngest.step.hash`); spans of unknown runs are counted in `partialSuccess`. " +
            "The body is OTLP JSON (`application/json`) or protobuf (`application/x-protobuf`).",
          tags: ["traces"],
          requestBody: otlpRequestDoc,
          responses: { 200: { description: "OTLP export answer", schema: otlpAnswerSchema } },
          errors: [400, 413, 415],
        },
      },
      async (req) => {
        const type = req.headers["content-type"] ?? "application/json";
        if (/^application\/(x-)?protobuf\b/i.test(type)) {
          return ok(await recordUserlandSpans(deps, otlpProtobufToJson(req.bytes)));
        }
        if (!/^application\/json\b/i.test(type)) {
          throw new ValidationError(
            `unsupported content type ${type}: send OTLP/HTTP JSON (application/json) or protobuf (application/x-protobuf)`,
            415,
          );
        }
        return ok(await recordUserlandSpans(deps, req.body));
      },
    ),
    bodyRoute(
      {
        method: "POST",
        path: "/v1/cancellations",
        auth: "key",
        body: cancellationRequestSchema,
        doc: {
          operationId: "createCancellation",
          summary: "Cancel a function's runs started in a time window",
          description:
            "Stores a bulk cancellation and starts cancelling the function's Running runs started in " +
            "[started_after, started_before] whose triggering event matches `if`, in the background. Runs " +
            "created later inside the window are cancelled as they start. Inngest answers 200 too.",
          tags: ["cancellations", "runs"],
          responses: { 200: { description: "The stored cancellation", schema: cancellationAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (_req, body) => ok(await createCancellation(deps, body)),
    ),
    queryRoute(
      {
        method: "GET",
        path: "/v1/cancellations",
        auth: "key",
        query: cancellationsQuery,
        doc: {
          operationId: "listCancellations",
          summary: "List bulk cancellations, newest first",
          tags: ["cancellations"],
          responses: { 200: { description: "A page of cancellations", schema: cancellationListSchema } },
          errors: [400],
        },
      },
      async (_req, q) => ok(await listCancellations(deps, q)),
    ),
    route(
      {
        method: "DELETE",
        path: "/v1/cancellations/{cancellationId}",
        auth: "key",
        doc: {
          operationId: "deleteCancellation",
          summary: "Delete a bulk cancellation",
          description: "Runs it has cancelled stay cancelled; it cancels no more.",
          tags: ["cancellations"],
          params: CANCELLATION_ID,
          responses: { 200: { description: "The deleted cancellation", schema: cancellationAnswerSchema } },
          errors: [404],
        },
      },
      async (req) => ok(await deleteCancellation(deps, param(req.params, "cancellationId"))),
    ),
    bodyRoute(
      {
        method: "POST",
        path: "/v1/signals",
        auth: "key",
        body: signalRequestSchema,
        // The payload is user data stored as the waiting step's result.
        limits: { maxBytes: LIMITS.stepOutputMaxBytes, maxDepth: LIMITS.eventMaxDepth },
        doc: {
          operationId: "sendSignal",
          summary: "Resume the run waiting on a signal",
          description:
            "The run waiting in `step.waitForSignal` on `signal` resumes with `{signal, data}`. " +
            "404 when no run waits on it (the SDK treats that as no run).",
          tags: ["signals", "runs"],
          responses: { 200: { description: "The resumed run", schema: runIdAnswerSchema } },
          errors: [400, 404, 413],
        },
      },
      async (_req, body) => ok(await sendSignal(deps, body)),
    ),
    route(
      {
        method: "GET",
        path: "/v1/apps/{appId}/functions",
        auth: "key",
        doc: {
          operationId: "getAppFunctions",
          summary: "List an app's functions",
          description: "Inngest answers with a bare array; Tideline wraps it in the usual envelope.",
          tags: ["apps"],
          params: { appId: "The app's id, as its SDK client names it" },
          responses: { 200: { description: "The app's functions, by slug", schema: functionsAnswerSchema } },
          errors: [400, 404],
        },
      },
      async (req) => ok(await getAppFunctions(deps, param(req.params, "appId"))),
    ),
  ];
}
