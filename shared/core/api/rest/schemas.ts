/**
 * The zod schemas of REST v1 answers and request bodies. Handlers build their answers typed by
 * these, and the OpenAPI document's component schemas are generated from the same objects
 * (`z.toJSONSchema`), so the documentation cannot describe a shape the API does not send.
 * Field names follow Inngest's REST v1 (snake_case, `{data, metadata}` envelopes).
 */
import * as z from "zod";
import { jsonValue, RUN_STATUSES } from "../../../domain/schemas.js";

/** Components of the OpenAPI document: answers are documented as output, bodies as input. */
export const responseSchemas = z.registry<{ id: string; description?: string }>();
export const requestSchemas = z.registry<{ id: string; description?: string }>();

/** Any JSON value (user data: event payloads, step outputs, configs). */
export const anyJson = jsonValue.meta({ description: "Any JSON value" });
const jsonRecord = z.record(z.string(), anyJson);
const isoTime = z.iso.datetime();

export const responseMetadataSchema = z
  .object({ fetched_at: isoTime, cached_until: isoTime.nullable() })
  .register(responseSchemas, { id: "ResponseMetadata", description: "When the answer was produced." });

export const errorBodySchema = z
  .object({ status: z.number().int(), error: z.string() })
  .register(responseSchemas, { id: "Error", description: "An error answer: the HTTP status and why." });

export const storedErrorViewSchema = z
  .object({ name: z.string(), message: z.string(), stack: z.string().optional() })
  .catchall(anyJson)
  .register(responseSchemas, { id: "SerializedError", description: "An error as the SDK serialized it." });

export const eventViewSchema = z
  .object({
    internal_id: z.string().describe("Tideline's id of the received event (a ULID)"),
    environment_id: z.string(),
    received_at: isoTime,
    id: z.string().describe("The sender's idempotency id (the internal id when none was given)"),
    name: z.string(),
    data: jsonRecord,
    user: jsonRecord,
    ts: z.number().describe("Event timestamp, epoch milliseconds"),
    v: z.string().optional(),
  })
  .register(responseSchemas, { id: "Event", description: "A received event (Inngest's REST v1 shape)." });

export const runViewSchema = z
  .object({
    run_id: z.string(),
    run_started_at: isoTime,
    function_id: z.string().describe("The function's slug"),
    function_version: z.number().int(),
    environment_id: z.string(),
    event_id: z.string(),
    batch_id: z.string().nullable(),
    original_run_id: z.string().nullable(),
    cron: z.string().nullable(),
    status: z.enum(RUN_STATUSES),
    ended_at: isoTime.nullable(),
    output: anyJson.optional().describe("The run's result, or its error when it failed; absent in listings"),
  })
  .register(responseSchemas, { id: "Run", description: "A function run (Inngest's REST v1 shape)." });

export const runJobSchema = z
  .object({
    step_id: z.string().describe('The hashed step id; "step" for the function body'),
    name: z.string().nullable(),
    kind: z.enum(["step", "function"]).describe('"function": an attempt at the function body itself'),
    op: z.string().nullable().describe('The SDK op that produced the result ("StepRun", "Sleep", ...)'),
    attempt: z.number().int().min(0),
    status: z.enum(["Queued", "Waiting", "Completed", "Failed"]),
    at: isoTime.describe("When the job ran, or when a queued job is due"),
    started_at: isoTime.nullable(),
    ended_at: isoTime.nullable(),
    output: anyJson.nullable(),
    error: storedErrorViewSchema.nullable(),
  })
  .register(responseSchemas, {
    id: "RunJob",
    description: "One entry of a run's history: a step result, a failed attempt, or a queued job.",
  });

const triggerViewSchema = z.union([
  z.object({ event: z.string(), expression: z.string().optional() }),
  z.object({ cron: z.string(), jitter: z.string().optional() }),
]);

export const functionViewSchema = z
  .object({
    internal_id: z.string(),
    id: z.string().describe("The function's slug (Inngest's `id`)"),
    slug: z.string(),
    name: z.string(),
    app_id: z.string(),
    triggers: z.array(triggerViewSchema),
    config: jsonRecord,
    updated_at: isoTime,
  })
  .register(responseSchemas, { id: "Function", description: "A function of a synced app." });

export const cancellationViewSchema = z
  .object({
    id: z.string().describe("The cancellation's id (a ULID)"),
    environment_id: z.string(),
    app_id: z.string(),
    function_id: z.string().describe("The function's slug"),
    function_internal_id: z.string(),
    started_after: isoTime.nullable().describe("Runs started at or after this time (null: any time before)"),
    started_before: isoTime.describe("Runs started at or before this time"),
    if: z.string().nullable().describe("Only runs whose triggering `event` matches this expression"),
    created_at: isoTime,
  })
  .register(responseSchemas, {
    id: "Cancellation",
    description: "A bulk cancellation: the function's runs started in the window (and matching `if`).",
  });

/** An event as the SDK receives it in an execution request's `events` (PROTOCOL 4.4). */
export const sdkEventSchema = z
  .object({
    name: z.string(),
    data: jsonRecord,
    id: z.string().describe("The sender's idempotency id (the internal id when none was given)"),
    ts: z.number().describe("Event timestamp, epoch milliseconds"),
    user: jsonRecord,
    v: z.string().optional(),
    meta: jsonRecord.optional(),
  })
  .register(responseSchemas, { id: "SdkEvent", description: "A run's event, as the SDK receives it." });

/** `GET /v0/runs/{runId}/batch`: the SDK reads a bare array, no envelope. */
export const runBatchAnswerSchema = z.array(sdkEventSchema).register(responseSchemas, {
  id: "RunBatch",
  description: "The run's events, as an execution request's `events` would hold them.",
});

/** `GET /v0/runs/{runId}/actions`: the SDK reads a bare object, no envelope. */
export const runActionsAnswerSchema = z.record(z.string(), anyJson).register(responseSchemas, {
  id: "RunActions",
  description:
    "The run's stored steps by hashed step id, as an execution request's `steps` would hold them " +
    "(`{data}`, `{error}`, `{input}` or a bare value).",
});

/** `{data, metadata}` around `data`. */
function envelope<T extends z.ZodType>(data: T) {
  return z.object({ data, metadata: responseMetadataSchema });
}

/** A listing page: `cursor` is present when more items follow (pass it back as `?cursor=`). */
function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), metadata: responseMetadataSchema, cursor: z.string().optional() });
}

export const eventListSchema = page(eventViewSchema).register(responseSchemas, { id: "EventList" });
export const eventAnswerSchema = envelope(eventViewSchema).register(responseSchemas, { id: "EventAnswer" });
export const runListSchema = page(runViewSchema).register(responseSchemas, { id: "RunList" });
export const runsAnswerSchema = envelope(z.array(runViewSchema)).register(responseSchemas, {
  id: "RunsAnswer",
});
export const runAnswerSchema = envelope(runViewSchema).register(responseSchemas, { id: "RunAnswer" });
export const runJobsAnswerSchema = envelope(z.array(runJobSchema)).register(responseSchemas, {
  id: "RunJobsAnswer",
});
export const functionsAnswerSchema = envelope(z.array(functionViewSchema)).register(responseSchemas, {
  id: "FunctionsAnswer",
});
export const runIdAnswerSchema = envelope(z.object({ run_id: z.string() })).register(responseSchemas, {
  id: "RunIdAnswer",
});
export const runIdsAnswerSchema = envelope(z.object({ run_ids: z.array(z.string()) })).register(
  responseSchemas,
  { id: "RunIdsAnswer" },
);
export const eventIdsAnswerSchema = envelope(z.object({ ids: z.array(z.string()) })).register(
  responseSchemas,
  { id: "EventIdsAnswer", description: "The internal ids of the accepted events, in request order." },
);
export const metadataAnswerSchema = envelope(z.object({ records: z.number().int() })).register(
  responseSchemas,
  { id: "MetadataAnswer", description: "How many metadata records were stored." },
);

export const cancellationAnswerSchema = envelope(cancellationViewSchema).register(responseSchemas, {
  id: "CancellationAnswer",
});
export const cancellationListSchema = page(cancellationViewSchema).register(responseSchemas, {
  id: "CancellationList",
});

export type ResponseMetadata = z.infer<typeof responseMetadataSchema>;
export type EventView = z.infer<typeof eventViewSchema>;
export type RunView = z.infer<typeof runViewSchema>;
export type RunJob = z.infer<typeof runJobSchema>;
export type FunctionView = z.infer<typeof functionViewSchema>;
export type StoredErrorView = z.infer<typeof storedErrorViewSchema>;
export type CancellationView = z.infer<typeof cancellationViewSchema>;

/** The answer of an OTLP/HTTP export: empty, or how many spans were not kept and why. */
export const otlpAnswerSchema = z
  .object({
    partialSuccess: z.object({ rejectedSpans: z.number().int(), errorMessage: z.string() }).optional(),
  })
  .register(responseSchemas, {
    id: "OtlpExportAnswer",
    description: "OTLP ExportTraceServiceResponse (JSON).",
  });

/** An empty JSON object (the answer to a checkpoint: the SDK ignores the body). */
export const emptyAnswerSchema = z.object({}).register(responseSchemas, { id: "EmptyAnswer" });
