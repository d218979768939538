/**
 * Schemas of everything that crosses a boundary: events on the stream, jobs and timers on the
 * queues, and the records the stores keep. Types are inferred from them, and every reader parses
 * with them (`parseMessage` for message bodies, the stores for items), so nothing is cast.
 *
 * User data inside (event payloads, step outputs, function configs) is typed `Json` without a
 * deep check: it always arrives as the output of JSON.parse, and a recursive schema over it would
 * overflow the stack on deeply nested input.
 */
import * as z from "zod";
import type { Json, JsonObject } from "./json.js";

/** A JSON value produced by JSON.parse (see above: not walked). */
export const jsonValue = z.custom<Json>((v) => v !== undefined);
/** A JSON object whose members are not walked. */
export const jsonObject = z.record(z.string(), jsonValue).transform((o): JsonObject => o);

// ---- events ----

/** An event as stored and as sent to SDKs (`user` always present, `id` always set). */
export const inngestEventSchema = z.object({
  name: z.string().min(1),
  data: jsonObject,
  /** The user's idempotency id, or the internal id when the sender gave none. */
  id: z.string().min(1),
  ts: z.number(),
  user: jsonObject,
  v: z.string().optional(),
  /** Event metadata the SDK attaches (sessions, propagated sessions); kept as sent. */
  meta: jsonObject.optional(),
});
export type InngestEvent = z.infer<typeof inngestEventSchema>;

/** An event accepted by the Event API, on its way through the stream. */
export const acceptedEventSchema = z.object({
  /** Server-generated ULID, returned to the sender in `ids`. */
  internalId: z.string().min(1),
  event: inngestEventSchema,
  receivedAt: z.number(),
  /** Starts a run of this function (slug) only, whatever its triggers: a cron tick's event. */
  target: z.string().optional(),
});
export type AcceptedEvent = z.infer<typeof acceptedEventSchema>;

/** A received event as the event store keeps it. */
export const storedEventSchema = acceptedEventSchema.extend({
  /** Run ids this event started ([] = recorded as unmatched). */
  runIds: z.array(z.string()),
});
export type StoredEventRecord = z.infer<typeof storedEventSchema>;

// ---- jobs and timers ----

/** One unit of executor work: one SDK request. */
export const jobSchema = z.object({
  runId: z.string().min(1),
  fnSlug: z.string().min(1),
  /** "step" = discovery / run-the-function request; otherwise the hashed id of a planned step. */
  stepId: z.string().min(1),
  /** Zero-based attempt of this queue item. */
  attempt: z.number().int().min(0),
  /** The run's state version the job expects; a job for an older version is stale. */
  version: z.number().int().min(0),
  /** The flow partition (MessageGroupId). */
  partition: z.string().min(1),
  /**
   * A planned step of a `parallelMode: "race"` group: its result is followed by a discovery at
   * once, rather than when the last pending step of the fan-out settles.
   */
  race: z.literal(true).optional(),
  /**
   * The wake-up of a sleep planned beside other steps (`stepId` = the sleep's id): due at the wake
   * time, it stores the sleep's memo without a request to the app.
   */
  wake: z.literal(true).optional(),
  /**
   * The run's concurrency limits (counter key and limit, SEMANTICS 4): the job takes a lease on
   * each before it is sent, and waits parked in its order when one is full (core/flow).
   */
  limits: z.array(z.object({ key: z.string().min(1), limit: z.number().int().min(1) })).optional(),
  /** Order among parked jobs: the run's creation time minus its priority (lower goes first). */
  score: z.number().optional(),
  /**
   * Set when a job is sent again from a concurrency backlog (epoch ms): part of its queue
   * deduplication id, so SQS's five-minute deduplication does not drop the new copy.
   */
  resend: z.number().optional(),
});
export type Job = z.infer<typeof jobSchema>;
export type FlowLimit = NonNullable<Job["limits"]>[number];

export const scheduledJobSchema = z.object({
  job: jobSchema,
  /** Epoch ms at which the job is due; absent or past = now. */
  dueAt: z.number().optional(),
});
export type ScheduledJob = z.infer<typeof scheduledJobSchema>;

// ---- pauses (waitForEvent, invoke, signals, cancelOn) ----

export const PAUSE_KINDS = ["wait", "invoke", "signal", "cancel"] as const;
export type PauseKind = (typeof PAUSE_KINDS)[number];

/**
 * Where a pause can be found and deleted, and what the run's trace shows of it. `partition` is
 * the pauses table partition: `EVT#<event name>` (every event of that name is tested),
 * `EVT#<event name>#<path>#<index key>` (only events with that value at that path) or
 * `SIG#<signal>`.
 */
export const pauseRefSchema = z.object({
  pauseId: z.string().min(1),
  partition: z.string().min(1),
  kind: z.enum(PAUSE_KINDS),
  /** The step that waits (absent for cancel pauses). */
  stepId: z.string().optional(),
  name: z.string().optional(),
  eventName: z.string().optional(),
  signal: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type PauseRef = z.infer<typeof pauseRefSchema>;

/** A stored pause: its ref plus what matching needs. */
export const pauseSchema = pauseRefSchema.extend({
  runId: z.string().min(1),
  fnSlug: z.string().min(1),
  /** The condition over `event` (the parts kept below) and `async` (the incoming event). */
  expression: z.string().optional(),
  /** The parts of the run's triggering event the expression references. */
  event: jsonObject.optional(),
  /** The `async` path whose value selects the partition ("" or absent = the name's own). */
  indexPath: z.string().optional(),
  /** Internal id of the run's own triggering event: it never resumes its own run. */
  triggerEventId: z.string(),
});
export type Pause = z.infer<typeof pauseSchema>;

/**
 * A delayed item. Each kind has one handler in core/scheduling/timerKinds.ts: "job" becomes a
 * work job, "sweep" runs the recovery sweep, "pauseTimeout" resumes a wait that nothing matched,
 * "runTimeout" cancels a run past its start or finish timeout, "cancellation" applies a bulk
 * cancellation a page of runs at a time, "cron" fires a cron trigger's tick, "debounce" and
 * "batch" fire a debounce or flush a batch.
 */
export const timerItemSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("job"), job: jobSchema }),
  /** `dueBefore` absent = the periodic sweep's own cutoff (now minus a grace period). */
  z.object({ kind: z.literal("sweep"), dueBefore: z.number().optional() }),
  z.object({ kind: z.literal("pauseTimeout"), runId: z.string().min(1), pause: pauseRefSchema }),
  z.object({
    kind: z.literal("runTimeout"),
    runId: z.string().min(1),
    which: z.enum(["start", "finish"]),
  }),
  /** A concurrency key with parked jobs: refill slots whose leases expired (core/flow). */
  z.object({ kind: z.literal("flowCheck"), key: z.string().min(1), limit: z.number().int().min(1) }),
  z.object({
    kind: z.literal("cancellation"),
    cancellationId: z.string().min(1),
    cursor: z.string().optional(),
  }),
  /** A cron trigger's tick (core/cron/fireCron.ts). */
  z.object({
    kind: z.literal("cron"),
    fnSlug: z.string().min(1),
    cron: z.string().min(1),
    /** RFC 3339; a cron() schedule's input gets it from Scheduler (`<aws.scheduler.scheduled-time>`). */
    scheduledAt: z.string().optional(),
    /** Set on a chain of at() ticks: the function's `updatedAt` when the chain began. */
    chain: z.number().optional(),
    /** The tick's jitter is applied: it fires when delivered. */
    jittered: z.literal(true).optional(),
  }),
  /** A debounce cycle's fire (core/flow/debounce.ts); one due early follows the cycle's fire time. */
  z.object({
    kind: z.literal("debounce"),
    fnSlug: z.string().min(1),
    key: z.string(),
    cycle: z.string().min(1),
  }),
  /** A batch cycle's flush at its timeout (core/flow/batch.ts). */
  z.object({
    kind: z.literal("batch"),
    fnSlug: z.string().min(1),
    key: z.string(),
    cycle: z.string().min(1),
  }),
]);
export type TimerItem = z.infer<typeof timerItemSchema>;

/** The body of a message on the timers queue (and of a Scheduler target input). */
export const timerMessageSchema = z.object({
  item: timerItemSchema,
  /** Epoch ms when the item is due. */
  dueAt: z.number(),
});
export type TimerMessage = z.infer<typeof timerMessageSchema>;

/**
 * Deterministic job id: the FIFO deduplication id and the key that makes a redelivered job
 * recognisable. Same run, version, step and attempt = same job.
 */
export function jobId(job: Job): string {
  return `${job.runId}-${job.version}-${job.stepId}-${job.attempt}`;
}

/** The queue's deduplication id of a job: its id, and when it was sent again from a backlog. */
export function jobDedupId(job: Job): string {
  return job.resend === undefined ? jobId(job) : `${jobId(job)}-r${job.resend}`;
}

// ---- registry ----

export const appRecordSchema = z.object({
  appId: z.string().min(1),
  url: z.string(),
  sdk: z.string(),
  framework: z.string().optional(),
  appVersion: z.string().optional(),
  functionSlugs: z.array(z.string()),
  checksum: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type AppRecord = z.infer<typeof appRecordSchema>;

export const eventTriggerSchema = z.object({ event: z.string(), expression: z.string().optional() });
export const cronTriggerSchema = z.object({ cron: z.string(), jitter: z.string().optional() });
export const triggerSchema = z.union([eventTriggerSchema, cronTriggerSchema]);
export type EventTrigger = z.infer<typeof eventTriggerSchema>;
export type CronTrigger = z.infer<typeof cronTriggerSchema>;
export type Trigger = z.infer<typeof triggerSchema>;

export const functionRecordSchema = z.object({
  slug: z.string().min(1),
  appId: z.string().min(1),
  name: z.string(),
  /** Stable internal id (UUID-shaped) for APIs that need one. */
  internalId: z.string(),
  triggers: z.array(triggerSchema),
  /** The SDK URL with fnId and stepId=step. */
  url: z.string(),
  /** Number of retries (max attempts = retries + 1). */
  retries: z.number().int().min(0),
  /** The full config as synced, for features that later issues implement. */
  config: jsonObject,
  updatedAt: z.number(),
  /** Set when a re-sync dropped the function; in-flight runs still need its URL. */
  archived: z.boolean().optional(),
});
export type FunctionRecord = z.infer<typeof functionRecordSchema>;

// ---- runs ----

export const RUN_STATUSES = ["Running", "Completed", "Failed", "Cancelled", "Skipped"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Serialized error as stored for failed steps and runs (extra keys such as `code` are kept). */
export const storedErrorSchema = z
  .object({
    name: z.string(),
    message: z.string(),
    stack: z.string().optional(),
    cause: jsonValue.optional(),
  })
  .catchall(jsonValue);
export type StoredError = z.infer<typeof storedErrorSchema>;

/** A stored error as a JSON object (for step memos and API answers). */
export function storedErrorJson(error: StoredError): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(error)) if (value !== undefined) out[key] = value;
  return out;
}

/** What a transition sends once it has committed, besides jobs. */
export const outboxSchema = z.object({
  /** Events that go through the Event API path (system events, invokes, deferred runs). */
  events: z.array(acceptedEventSchema).optional(),
  timers: z.array(z.object({ item: timerItemSchema, dueAt: z.number() })).optional(),
});
export type Outbox = z.infer<typeof outboxSchema>;

/** A `defer()` the SDK recorded: run `fnSlug` with `input` when the parent run finishes. */
export const deferSchema = z.object({
  fnSlug: z.string().min(1),
  input: jsonObject,
  meta: jsonObject.optional(),
  aborted: z.boolean().optional(),
});
export type DeferRecord = z.infer<typeof deferSchema>;

export const runRecordSchema = z.object({
  runId: z.string().min(1),
  fnSlug: z.string().min(1),
  appId: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  /** Internal id of the triggering event. */
  eventId: z.string(),
  /** The triggering events, as sent to the SDK. */
  events: z.array(inngestEventSchema),
  startedAt: z.number(),
  /** Epoch ms of the latest committed transition (creation for a new run). */
  updatedAt: z.number(),
  endedAt: z.number().optional(),
  output: jsonValue.optional(),
  error: storedErrorSchema.optional(),
  /** Epoch ms when the first SDK request for this run began (the trace's "started"). */
  firstAttemptAt: z.number().optional(),
  /** State version; bumped by every committed transition. */
  version: z.number().int().min(0),
  /** SDK request version (-1 until the SDK reports one). */
  requestVersion: z.number().int(),
  /** Hashed step ids in completion order (ctx.stack). */
  stack: z.array(z.string()),
  /**
   * Every pending job: dispatched (or due later) and not yet committed. A job runs only while it is
   * listed here; the recovery sweep re-sends overdue ones (see core/engine/README.md).
   */
  next: z.array(scheduledJobSchema),
  /**
   * Job id of the work message whose processing made the latest executor commit. If that message
   * comes back (the executor died before sending what followed), the pending jobs are re-sent.
   */
  carrier: z.string().optional(),
  /** Bytes of stored step output (the 32 MiB run-state limit). */
  stateBytes: z.number().int().min(0).optional(),
  /** Events and timers of the latest transition, sent after it commits (and re-sent like `next`). */
  outbox: outboxSchema.optional(),
  /** Live pauses of the run (a wait of a step, cancelOn): removed when it resumes or ends. */
  pauses: z.array(pauseRefSchema).optional(),
  /** Defers the SDK recorded (`DeferAdd`), by hashed id; scheduled when the run finishes. */
  defers: z.record(z.string(), deferSchema).optional(),
  /** Set when the run was cancelled: by whom (API, cancelOn event, timeout, bulk cancellation). */
  cancelledBy: z.string().optional(),
  /** Why a Skipped run started nothing (rate limit, singleton), and the run that held the key. */
  skipped: z.object({ reason: z.string(), holder: z.string().optional() }).optional(),
  /** Flow control evaluated once, at creation, from the triggering event (core/flow). */
  flow: z
    .object({
      limits: jobSchema.shape.limits,
      score: z.number().optional(),
    })
    .optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/**
 * Metadata the SDK attaches to a run, a step or an attempt (`step.metadata`, scores, AI usage):
 * inline on an op (`metadata: [{kind, scope, op, values}]`) or through
 * `POST /v1/runs/{runId}/metadata`. Later writes of the same kind and scope `set` (replace) or
 * `merge` (shallow merge) the values.
 */
export const METADATA_SCOPES = ["run", "step", "step_attempt", "extended_trace"] as const;
export const metadataEntrySchema = z.object({
  kind: z.string().min(1).max(256),
  scope: z.enum(METADATA_SCOPES),
  op: z.enum(["set", "merge"]),
  values: jsonObject,
  updatedAt: z.number(),
});
export type MetadataEntry = z.infer<typeof metadataEntrySchema>;

/**
 * A stored step result, exactly as it is sent back to the SDK in `steps` (PROTOCOL 4.5). It is
 * also the step's span in the run's trace: the attempt that produced the result, its timing and
 * its metadata. Earlier failed attempts are AttemptRecords.
 */
export const stepRecordSchema = z.object({
  runId: z.string().min(1),
  stepId: z.string().min(1),
  value: jsonValue,
  /** Display info for APIs and the timeline. */
  name: z.string().optional(),
  op: z.string(),
  /** Zero-based attempt that produced the result. */
  attempts: z.number().int().min(0),
  /** When the result was recorded; a sleep's wake time. */
  at: z.number(),
  /** When the SDK request that produced it began; a sleep's start. */
  startedAt: z.number().optional(),
  metadata: z.array(metadataEntrySchema).optional(),
  /** For a wait that resumed: what it waited on and until when (the trace's step info). */
  wait: z
    .object({ eventName: z.string().optional(), signal: z.string().optional(), expiresAt: z.number() })
    .optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;
export type StepValue = Json;

/**
 * An attempt that failed and left no step result: a step error that is retried, or an error of
 * the function itself (`stepId` "step"). Kept for the run's trace; the engine never reads them.
 */
export const attemptRecordSchema = z.object({
  runId: z.string().min(1),
  /** The hashed step id, or "step" for the function body (discovery requests). */
  stepId: z.string().min(1),
  name: z.string().optional(),
  attempt: z.number().int().min(0),
  startedAt: z.number(),
  endedAt: z.number(),
  error: storedErrorSchema,
  /** The run version the attempt ran at: unique per run, so a redelivered commit cannot double it. */
  version: z.number().int().min(0),
  metadata: z.array(metadataEntrySchema).optional(),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

/** Metadata written through the API, with what it targets (absent step = the run). */
export const runMetadataRecordSchema = z.object({
  runId: z.string().min(1),
  stepId: z.string().optional(),
  attempt: z.number().int().min(0).optional(),
  spanId: z.string().optional(),
  entry: metadataEntrySchema,
  /** Unique id of the write (a ULID: orders writes made in the same millisecond). */
  writeId: z.string().min(1),
});
export type RunMetadataRecord = z.infer<typeof runMetadataRecordSchema>;

/**
 * A span the app's own OpenTelemetry instrumentation produced inside a step (the SDK's tracing
 * middleware exports them as OTLP to `/v1/traces/userland`), attached to that step in the trace.
 */
export const userlandSpanSchema = z.object({
  runId: z.string().min(1),
  spanId: z.string().min(1),
  traceId: z.string(),
  parentSpanId: z.string().optional(),
  /** The hashed id of the step it ran in (`inngest.step.hash`). */
  stepId: z.string().optional(),
  attempt: z.number().int().min(0).optional(),
  name: z.string(),
  kind: z.string(),
  serviceName: z.string().optional(),
  scopeName: z.string().optional(),
  scopeVersion: z.string().optional(),
  startedAt: z.number(),
  endedAt: z.number(),
  status: z.enum(["UNSET", "OK", "ERROR"]),
  statusMessage: z.string().optional(),
  attributes: jsonObject,
  resourceAttributes: jsonObject,
});
export type UserlandSpan = z.infer<typeof userlandSpanSchema>;

/**
 * The fields of a run that listings return: the listing index projects them, and only fields that
 * change at most once (so a step's commit does not also write the index). `eventName` is its first
 * event's name, so a listing shows it without reading each run; runs stored before it was kept
 * lack it.
 */
export type RunSummary = Pick<
  RunRecord,
  "runId" | "fnSlug" | "appId" | "status" | "eventId" | "startedAt" | "endedAt" | "firstAttemptAt"
> & { eventName?: string };
