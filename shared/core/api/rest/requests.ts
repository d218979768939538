/**
 * Request bodies of the REST v1 routes. Rerun and replay bodies are parsed with these schemas;
 * the event and metadata bodies are parsed by the code they are handed to (the Event API's
 * parser, the metadata recorder) and are described here for the OpenAPI document only.
 */
import * as z from "zod";
import { anyJson, requestSchemas } from "./schemas.js";

export const rerunRequestSchema = z
  .object({
    from_step_id: z
      .string()
      .min(1)
      .optional()
      .describe("Rerun from this step: the results of the steps completed before it are kept"),
  })
  .register(requestSchemas, { id: "RerunRequest" });

const isoText = z.string().meta({ format: "date-time" });

export const replayRequestSchema = z
  .object({
    function_id: z.string().min(1).describe("The function's slug"),
    from: isoText.describe("Start of the window of received events (RFC 3339)"),
    until: isoText.describe("End of the window of received events (RFC 3339)"),
  })
  .register(requestSchemas, {
    id: "ReplayRequest",
    description: "Replay the runs of a function started by the events received in a time window.",
  });

export const cancellationRequestSchema = z
  .object({
    app_id: z.string().min(1).describe("The app's id, as its SDK client names it"),
    function_id: z
      .string()
      .min(1)
      .describe("The function's slug (`<app_id>-<id>`), or its id within the app"),
    started_after: isoText.optional().describe("Cancel runs started at or after this time (RFC 3339)"),
    started_before: isoText.describe("Cancel runs started at or before this time (RFC 3339)"),
    if: z.string().min(1).optional().describe("Only runs whose triggering `event` matches this expression"),
  })
  .register(requestSchemas, {
    id: "CancellationRequest",
    description:
      "Cancel the Running runs of a function started in a time window, optionally only those whose event matches `if`.",
  });

export const signalRequestSchema = z
  .object({
    signal: z
      .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
      .min(1, { error: "must not be empty" }),
    data: anyJson.optional().describe("Any JSON value, handed to the waiting step"),
  })
  .register(requestSchemas, {
    id: "SignalRequest",
    description: "Resume the run waiting on `signal` (step.waitForSignal) with `data`.",
  });

/** One op of a checkpoint: the SDK's step objects carry internal fields besides these (ignored). */
const checkpointOpSchema = z
  .object({
    id: z.string().min(1),
    op: z.string().min(1),
    name: z.string().optional(),
    displayName: z.string().optional(),
    data: anyJson.optional(),
  })
  .loose();

export const checkpointRequestSchema = z
  .object({
    run_id: z.string().optional(),
    fn_id: z.string().optional(),
    qi_id: z
      .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
      .min(1, { error: "must not be empty" })
      .describe("The job (queue item) the SDK request was made for: ctx.qi_id"),
    steps: z.array(checkpointOpSchema).describe("Step results to store (StepRun); StepPlanned is ignored"),
  })
  .register(requestSchemas, {
    id: "AsyncCheckpointRequest",
    description: "Steps the SDK ran in-process during an execution request (async checkpointing).",
  });

const jsonRecord = z.record(z.string(), anyJson);

const eventInputSchema = z
  .object({
    name: z.string().min(1),
    data: jsonRecord.optional(),
    id: z.string().optional().describe("Idempotency id"),
    ts: z.number().optional().describe("Epoch milliseconds (default: when received)"),
    user: jsonRecord.optional(),
    v: z.string().optional(),
  })
  .register(requestSchemas, { id: "EventInput", description: "An event to send." });

export const sendEventsRequestSchema = z
  .union([eventInputSchema, z.array(eventInputSchema).min(1)])
  .register(requestSchemas, { id: "SendEventsRequest", description: "One event or an array of events." });

export const runMetadataRequestSchema = z
  .object({
    target: z.object({
      run_id: z.string().describe("Must be the run of the path"),
      step_id: z.string().optional(),
      step_index: z.number().int().optional(),
      step_attempt: z.number().int().min(0).optional(),
      span_id: z.string().optional(),
    }),
    metadata: z
      .array(z.object({ kind: z.string(), op: z.enum(["set", "merge"]).optional(), values: jsonRecord }))
      .min(1)
      .max(100),
  })
  .register(requestSchemas, {
    id: "RunMetadataRequest",
    description: "Metadata for a run, a step or an attempt (the SDK's body; at most 64 KiB).",
  });

/** An OTLP ExportTraceServiceRequest in JSON (documented loosely: recordUserlandSpans parses it). */
export const otlpRequestDoc = z
  .object({
    resourceSpans: z.array(
      z.object({
        resource: z
          .object({ attributes: z.array(z.object({ key: z.string(), value: z.unknown() })) })
          .optional(),
        scopeSpans: z.array(z.object({ scope: z.unknown().optional(), spans: z.array(z.unknown()) })),
      }),
    ),
  })
  .describe("OTLP/HTTP JSON trace export (opentelemetry-proto ExportTraceServiceRequest)");
