/** A run's trace: spans, step info, metadata, outputs and the trigger. */
export const TRACE_SDL = /* GraphQL */ `
enum RunTraceSpanStatus {
  FAILED
  QUEUED
  RUNNING
  COMPLETED
  WAITING
  CANCELLED
  SKIPPED
}

enum StepOp {
  INVOKE
  RUN
  SLEEP
  WAIT_FOR_EVENT
  AI_GATEWAY
  WAIT_FOR_SIGNAL
}

union StepInfo = InvokeStepInfo | SleepStepInfo | WaitForEventStepInfo | RunStepInfo | WaitForSignalStepInfo

type InvokeStepInfo {
  triggeringEventID: ULID!
  functionID: String!
  timeout: Time!
  returnEventID: ULID
  runID: ULID
  timedOut: Boolean
}

type SleepStepInfo {
  sleepUntil: Time!
}

type WaitForEventStepInfo {
  eventName: String!
  expression: String
  timeout: Time!
  foundEventID: ULID
  timedOut: Boolean
}

type WaitForSignalStepInfo {
  signal: String!
  timeout: Time!
  timedOut: Boolean
}

type RunStepInfo {
  type: String
}

type RunTraceSpan {
  appID: UUID!
  functionID: UUID!
  runID: ULID!
  run: FunctionRun!
  spanID: String!
  traceID: String!
  groupID: String
  name: String!
  status: RunTraceSpanStatus!
  attempts: Int
  duration: Int
  outputID: String
  queuedAt: Time!
  scheduledAt: Time
  startedAt: Time
  endedAt: Time
  childrenSpans: [RunTraceSpan!]!
  stepOp: StepOp
  stepID: String
  stepInfo: StepInfo
  stepType: String!
  isRoot: Boolean!
  parentSpanID: String
  parentSpan: RunTraceSpan
  isUserland: Boolean!
  userlandSpan: UserlandSpan
  debugRunID: ULID
  debugSessionID: ULID
  debugPaused: Boolean!
  skipReason: String
  skipExistingRunID: String
  metadata: [SpanMetadata!]!
  response: RunTraceSpanResponseInfo
}

type RunTraceSpanResponseInfo {
  statusCode: Int!
  headers: HTTPHeaders!
}

type SpanMetadata {
  scope: SpanMetadataScope!
  kind: SpanMetadataKind!
  values: SpanMetadataValues!
  updatedAt: Time!
}

type UserlandSpan {
  spanName: String
  spanKind: String
  serviceName: String
  resourceAttrs: Bytes
  scopeName: String
  scopeVersion: String
  spanAttrs: Bytes
}

type RunTraceSpanOutput {
  input: Bytes
  data: Bytes
  error: StepError
}

type StepError {
  message: String!
  name: String
  stack: String
  cause: Unknown
}

type RunTraceTrigger {
  eventName: String
  IDs: [ULID!]!
  payloads: [Bytes!]!
  timestamp: Time!
  isBatch: Boolean!
  batchID: ULID
  cron: String
}
`;
