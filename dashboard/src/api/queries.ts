/** The GraphQL documents the dashboard sends, and the shapes of their answers. */

export const RUN_STATUSES = ["RUNNING", "QUEUED", "COMPLETED", "FAILED", "CANCELLED", "SKIPPED"] as const;
type RunStatus = (typeof RUN_STATUSES)[number];
type SpanStatus = RunStatus | "WAITING";

/** Statuses a run does not leave by itself. */
export const ENDED_STATUSES: readonly string[] = ["COMPLETED", "FAILED", "CANCELLED", "SKIPPED"];

interface AwsServiceCost {
  service: string;
  usd: number;
  detail: string;
}

export interface AwsCost {
  usd: number;
  calls: number;
  jobs: number;
  lambdaMs: number;
  services: AwsServiceCost[];
}

// Apps

export interface App {
  id: string;
  externalID: string;
  name: string;
  sdkLanguage: string;
  sdkVersion: string;
  framework: string | null;
  url: string | null;
  checksum: string | null;
  error: string | null;
  functionCount: number;
  connected: boolean;
  appVersion: string | null;
  functions: { id: string; name: string; slug: string }[];
}

export const APPS_QUERY = /* GraphQL */ `
  query Apps {
    apps {
      id
      externalID
      name
      sdkLanguage
      sdkVersion
      framework
      url
      checksum
      error
      functionCount
      connected
      appVersion
      functions { id name slug }
    }
  }
`;

// Functions

interface FunctionTrigger {
  type: "EVENT" | "CRON";
  value: string;
  condition: string | null;
}

export interface FunctionConfiguration {
  cancellations: { event: string; timeout: string | null; condition: string | null }[];
  retries: { value: number; isDefault: boolean | null };
  priority: string | null;
  eventsBatch: { maxSize: number; timeout: string; key: string | null } | null;
  concurrency: { scope: string; limit: { value: number }; key: string | null }[];
  rateLimit: { limit: number; period: string; key: string | null } | null;
  debounce: { period: string; key: string | null } | null;
  throttle: { limit: number; period: string; burst: number; key: string | null } | null;
  singleton: { mode: "SKIP" | "CANCEL"; key: string | null } | null;
}

interface FunctionRunStats {
  total: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  skipped: number;
  awsCostUsd: number;
  truncated: boolean;
}

export interface FunctionDetail {
  id: string;
  name: string;
  slug: string;
  url: string;
  app: { id: string; name: string };
  triggers: FunctionTrigger[] | null;
  configuration: FunctionConfiguration;
  runStats: FunctionRunStats;
}

export const FUNCTIONS_QUERY = /* GraphQL */ `
  query Functions($from: Time!) {
    functions {
      id
      name
      slug
      url
      app { id name }
      triggers { type value condition }
      configuration {
        cancellations { event timeout condition }
        retries { value isDefault }
        priority
        eventsBatch { maxSize timeout key }
        concurrency { scope limit { value } key }
        rateLimit { limit period key }
        debounce { period key }
        throttle { limit period burst key }
        singleton { mode key }
      }
      runStats(from: $from) { total running completed failed cancelled skipped awsCostUsd truncated }
    }
  }
`;

export interface FunctionOption {
  id: string;
  name: string;
  slug: string;
  app: { name: string };
}

export const FUNCTION_OPTIONS_QUERY = /* GraphQL */ `
  query FunctionOptions {
    functions { id name slug app { name } }
  }
`;

// Events

export interface RunLink {
  id: string;
  status: RunStatus;
  function: { id: string; name: string };
}

export interface EventNode {
  id: string;
  name: string;
  occurredAt: string;
  receivedAt: string;
  raw: string;
  idempotencyKey: string | null;
  runs: RunLink[];
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface EventsAnswer {
  eventsV2: { edges: { node: EventNode; cursor: string }[]; pageInfo: PageInfo };
}

const EVENT_FIELDS = /* GraphQL */ `
  fragment EventFields on EventV2 {
    id name occurredAt receivedAt raw idempotencyKey runs { id status function { id name } }
  }
`;

/** No totalCount: the server counts events by reading them all, too much for a 2 s poll. */
export const EVENTS_QUERY = /* GraphQL */ `
  ${EVENT_FIELDS}
  query Events($first: Int!, $after: String, $filter: EventsFilter!) {
    eventsV2(first: $first, after: $after, filter: $filter) {
      edges { cursor node { ...EventFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const EVENT_QUERY = /* GraphQL */ `
  ${EVENT_FIELDS}
  query Event($id: ULID!) {
    eventV2(id: $id) { ...EventFields }
  }
`;

// Runs

/** A run as the runs list shows it; the run page asks for more of it (RunDetail). */
export interface RunNode {
  id: string;
  status: RunStatus;
  queuedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  eventName: string | null;
  function: { id: string; name: string; slug: string };
  awsCost: { usd: number } | null;
}

const RUN_FIELDS = /* GraphQL */ `
  fragment RunFields on FunctionRunV2 {
    id
    status
    queuedAt
    startedAt
    endedAt
    eventName
    function { id name slug }
    awsCost { usd }
  }
`;

export interface RunsAnswer {
  runs: { edges: { node: RunNode; cursor: string }[]; pageInfo: PageInfo };
}

export const RUNS_QUERY = /* GraphQL */ `
  ${RUN_FIELDS}
  query Runs($first: Int!, $after: String, $filter: RunsFilterV2!) {
    runs(first: $first, after: $after, orderBy: [{ field: QUEUED_AT, direction: DESC }], filter: $filter) {
      edges { cursor node { ...RunFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export interface RunsCountAnswer {
  runs: { totalCount: number };
}

/**
 * The total apart from the rows: counting reads every run of the window (a DynamoDB COUNT query),
 * so it is polled far less often than the rows and never holds them back.
 */
export const RUNS_COUNT_QUERY = /* GraphQL */ `
  query RunsCount($filter: RunsFilterV2!) {
    runs(first: 1, orderBy: [{ field: QUEUED_AT, direction: DESC }], filter: $filter) {
      totalCount
    }
  }
`;

export interface RunDetail extends RunNode {
  triggerIDs: string[];
  cronSchedule: string | null;
  isBatch: boolean;
  app: { id: string; name: string };
  awsCost: AwsCost | null;
}

/** RunFields' `awsCost { usd }` merges with the breakdown asked for here. */
export const RUN_QUERY = /* GraphQL */ `
  ${RUN_FIELDS}
  query Run($runID: String!) {
    run(runID: $runID) {
      ...RunFields
      triggerIDs
      cronSchedule
      isBatch
      app { id name }
      awsCost { usd calls jobs lambdaMs services { service usd detail } }
    }
  }
`;

export interface RunTrigger {
  eventName: string | null;
  IDs: string[];
  payloads: unknown[];
  timestamp: string;
  isBatch: boolean;
  cron: string | null;
}

export const TRIGGER_QUERY = /* GraphQL */ `
  query RunTrigger($runID: String!) {
    runTrigger(runID: $runID) { eventName IDs payloads timestamp isBatch cron }
  }
`;

type StepInfo =
  | { __typename: "SleepStepInfo"; sleepUntil: string }
  | {
      __typename: "WaitForEventStepInfo";
      eventName: string;
      expression: string | null;
      timeout: string;
      foundEventID: string | null;
      timedOut: boolean | null;
    }
  | {
      __typename: "InvokeStepInfo";
      functionID: string;
      timeout: string;
      runID: string | null;
      timedOut: boolean | null;
    }
  | { __typename: "WaitForSignalStepInfo"; signal: string; timeout: string; timedOut: boolean | null }
  | { __typename: "RunStepInfo"; type: string | null };

type StepOp = "INVOKE" | "RUN" | "SLEEP" | "WAIT_FOR_EVENT" | "AI_GATEWAY" | "WAIT_FOR_SIGNAL";

interface SpanMetadata {
  scope: string;
  kind: string;
  values: unknown;
  updatedAt: string;
}

export interface Span {
  spanID: string;
  name: string;
  status: SpanStatus;
  attempts: number | null;
  duration: number | null;
  outputID: string | null;
  queuedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  stepOp: StepOp | null;
  stepID: string | null;
  isRoot: boolean;
  stepInfo: StepInfo | null;
  metadata: SpanMetadata[];
  childrenSpans: Span[];
}

const SPAN_FIELDS = /* GraphQL */ `
  fragment SpanFields on RunTraceSpan {
    spanID
    name
    status
    attempts
    duration
    outputID
    queuedAt
    startedAt
    endedAt
    stepOp
    stepID
    isRoot
    metadata { scope kind values updatedAt }
    stepInfo {
      __typename
      ... on SleepStepInfo { sleepUntil }
      ... on WaitForEventStepInfo { eventName expression timeout foundEventID timedOut }
      ... on InvokeStepInfo { functionID timeout runID timedOut }
      ... on WaitForSignalStepInfo { signal timeout timedOut }
      ... on RunStepInfo { type }
    }
  }
`;

/** The root span (the run), its steps, their attempts, and one level more for safety. */
export const TRACE_QUERY = /* GraphQL */ `
  ${SPAN_FIELDS}
  query RunTrace($runID: String!) {
    runTrace(runID: $runID) {
      ...SpanFields
      childrenSpans {
        ...SpanFields
        childrenSpans {
          ...SpanFields
          childrenSpans { ...SpanFields childrenSpans { spanID } }
        }
      }
    }
  }
`;

export interface SpanOutput {
  data: unknown;
  error: { message: string; name: string | null; stack: string | null; cause: unknown } | null;
}

export const OUTPUT_QUERY = /* GraphQL */ `
  query SpanOutput($outputID: String!) {
    runTraceSpanOutputByID(outputID: $outputID) {
      data
      error { message name stack cause }
    }
  }
`;

// Mutations

export const CANCEL_RUN = /* GraphQL */ `
  mutation CancelRun($runID: ULID!) {
    cancelRun(runID: $runID) { id status }
  }
`;

export const RERUN = /* GraphQL */ `
  mutation Rerun($runID: ULID!, $fromStep: RerunFromStepInput) {
    rerun(runID: $runID, fromStep: $fromStep)
  }
`;

export const SEND_EVENT = /* GraphQL */ `
  mutation SendEvent($payload: String!) {
    sendEvent(payload: $payload)
  }
`;
