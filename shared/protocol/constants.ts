/**
 * Every wire constant of the Inngest SDK protocol (PROTOCOL.md), in one place so that no header
 * name, event name or limit is spelled twice in the codebase.
 */

/** HTTP header names, lower-case (Node and fetch normalise incoming names to lower case). */
export const HEADERS = {
  signature: "x-inngest-signature",
  sdk: "x-inngest-sdk",
  sdkHandled: "x-inngest-sdk-handled",
  noRetry: "x-inngest-no-retry",
  reqVersion: "x-inngest-req-version",
  retryAfter: "retry-after",
  eventIdSeed: "x-inngest-event-id-seed",
  syncKind: "x-inngest-sync-kind",
  serverKind: "x-inngest-server-kind",
  expectedServerKind: "x-inngest-expected-server-kind",
  env: "x-inngest-env",
  stepId: "x-inngest-step-id",
  runId: "x-run-id",
  framework: "x-inngest-framework",
  requestId: "x-request-id",
  jobId: "x-inngest-job-id",
  generationId: "x-inngest-generation-id",
  forceStepPlan: "x-inngest-force-step-plan",
  authorization: "authorization",
  /** W3C trace context of an execution request: the SDK parents the app's own spans on it. */
  traceParent: "traceparent",
  traceState: "tracestate",
  contentType: "content-type",
  userAgent: "user-agent",
} as const;

/** Events the server emits itself; users may trigger on them but not send them (PROTOCOL 7). */
export const INTERNAL_EVENTS = {
  functionFinished: "inngest/function.finished",
  functionFailed: "inngest/function.failed",
  functionCancelled: "inngest/function.cancelled",
  functionInvoked: "inngest/function.invoked",
  scheduledTimer: "inngest/scheduled.timer",
  deferredSchedule: "inngest/deferred.schedule",
  httpRequest: "inngest/http.request",
} as const;

/** Event names with this prefix (case-insensitive) are rejected by the public Event API. */
export const RESERVED_EVENT_PREFIX = "inngest/";

export const DEFAULT_PORT = 8288;
/** Retries when the function config sets none: 4 retries = 5 attempts. */
export const DEFAULT_RETRIES = 4;
/** Larger `retries` values are clamped to this. */
export const MAX_RETRIES = 20;

/** `id` of the RunComplete op: sha1("complete"). */
export const RUN_COMPLETE_ID = "0737c22d3bfae812339732d14d8c7dbd6dc4e09c";
/** `stepId` query value of a discovery ("run the function") request. */
export const DISCOVERY_STEP_ID = "step";

const KiB = 1024;
const MiB = 1024 * KiB;
const SECOND_MS = 1000;
const DAY_MS = 24 * 60 * 60 * SECOND_MS;

export const LIMITS = {
  /** Per-event JSON size (Cloud default). */
  eventMaxBytes: 512 * KiB,
  /**
   * Deepest nesting of arrays and objects in one event (the event object itself is level 1).
   * Tideline's own: JSON handling further down the pipeline (signing, expressions) is recursive,
   * and events nested thousands deep would overflow its stack.
   */
  eventMaxDepth: 128,
  /** Deepest nesting of an SDK answer (step outputs are sent back to the SDK, signed, each step). */
  sdkResponseMaxDepth: 256,
  /** Absolute cap: the OSS server parses Event API bodies with 3 MiB. */
  eventAbsoluteMaxBytes: 3 * MiB,
  maxEventsPerRequest: 5000,
  /** Event name length accepted by the Event API. */
  eventNameMaxLength: 512,
  /** Trigger event name length accepted at sync. */
  triggerEventNameMaxLength: 255,
  cronMaxLength: 255,
  maxTriggers: 10,
  maxCancel: 5,
  maxConcurrency: 2,
  /**
   * Highest concurrency limit: every live lease is an entry of its key's counter item (about 150
   * bytes with its owner), which must stay well under DynamoDB's 400 KB item.
   */
  concurrencyLimitMax: 1000,
  stepOutputMaxBytes: 4 * MiB,
  /** Above this the server switches the SDK request to `use_api` (PROTOCOL 4.7). */
  sdkRequestMaxBytes: 4 * MiB,
  sdkResponseMaxBytes: 8 * MiB,
  runStateMaxBytes: 32 * MiB,
  maxSteps: 1000,
  retryAfterMinMs: SECOND_MS,
  retryAfterMaxMs: DAY_MS,
  /** Sleeps and waitForEvent timeouts. */
  sleepMaxMs: 366 * DAY_MS,
  /** defer(): most defers one run records, and the largest input of one (PROTOCOL 6.4). */
  maxDefers: 20,
  deferInputMaxBytes: 4 * MiB,
  /** How long an invoke, a signal wait or a cancelOn entry without a timeout lasts: a year. */
  invokeDefaultTimeoutMs: 365 * DAY_MS,
  cronJitterMinMs: SECOND_MS,
  cronJitterMaxMs: 5 * 60 * SECOND_MS,
  /** JS SDK rejects request signatures older/newer than this. */
  signatureWindowMs: 5 * 60 * SECOND_MS,
  /** Event `ts` must lie in [1980-01-01, 2100-01-01). */
  eventTsMinMs: Date.UTC(1980, 0, 1),
  eventTsMaxMs: Date.UTC(2100, 0, 1),
} as const;

/** Request versions (`version` body field, `x-inngest-req-version` header). Never 0. */
export const EXECUTION_VERSIONS = {
  /** First request of a run / not yet reported by the SDK. */
  unknown: -1,
  v1: 1,
  v2: 2,
} as const;

/** Values of `x-inngest-server-kind` this server stamps on its own responses. */
export const SERVER_KINDS = {
  dev: "dev",
  cloud: "cloud",
} as const;

/** Values of `x-inngest-sync-kind`. */
export const SYNC_KINDS = {
  inBand: "in_band",
  outOfBand: "out_of_band",
} as const;

/** Opcode names of 206 responses (PROTOCOL 5.3). */
export const OPCODES = {
  stepPlanned: "StepPlanned",
  stepRun: "StepRun",
  step: "Step",
  stepError: "StepError",
  stepFailed: "StepFailed",
  sleep: "Sleep",
  waitForEvent: "WaitForEvent",
  invokeFunction: "InvokeFunction",
  waitForSignal: "WaitForSignal",
  aiGateway: "AIGateway",
  gateway: "Gateway",
  runComplete: "RunComplete",
  discoveryRequest: "DiscoveryRequest",
  deferAdd: "DeferAdd",
  deferAbort: "DeferAbort",
  stepNotFound: "StepNotFound",
} as const;

/** Signing keys look like `signkey-<env>-<hex>`; this matches the prefix. */
export const SIGNING_KEY_PREFIX_RE = /^signkey-\w+-/;
