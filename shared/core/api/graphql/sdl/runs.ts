/** Runs (the v2 shapes the dashboard and SDK test tooling read, and the older FunctionRun). */
export const RUNS_SDL = /* GraphQL */ `
enum FunctionRunStatus {
  COMPLETED
  FAILED
  CANCELLED
  RUNNING
  QUEUED
  SKIPPED
}

input FunctionRunQuery {
  workspaceId: ID! = "local"
  functionRunId: ID!
}

type FunctionRun {
  id: ID!
  functionID: String!
  function: Function
  workspace: Workspace
  event: Event
  events: [Event!]!
  batchID: ULID
  batchCreatedAt: Time
  status: FunctionRunStatus
  startedAt: Time
  finishedAt: Time
  output: String
  eventID: ID!
  cron: String
}

input RunsFilterV2 {
  from: Time!
  until: Time
  timeField: RunsV2OrderByField = QUEUED_AT
  status: [FunctionRunStatus!]
  functionIDs: [UUID!]
  appIDs: [UUID!]
  isDeferred: Boolean
  query: String
}

input RunsV2OrderBy {
  field: RunsV2OrderByField!
  direction: RunsOrderByDirection!
}

enum RunsV2OrderByField {
  QUEUED_AT
  STARTED_AT
  ENDED_AT
}

enum RunsOrderByDirection {
  ASC
  DESC
}

type FunctionRunV2 {
  id: ULID!
  appID: UUID!
  app: App!
  functionID: UUID!
  function: Function!
  traceID: String!
  queuedAt: Time!
  startedAt: Time
  endedAt: Time
  status: FunctionRunStatus!
  sourceID: String
  triggerIDs: [ULID!]!
  eventName: String
  isBatch: Boolean!
  batchCreatedAt: Time
  cronSchedule: String
  output: Bytes
  trace(preview: Boolean): RunTraceSpan
  hasAI: Boolean!
  defers: [RunDefer!]!
  siblingDefers: [RunDefer!]!
  deferredFrom: [RunDeferredFrom!]!
  isDeferred: Boolean!
  "Tideline: what the run cost on AWS, from the calls its jobs made (null when none was recorded)."
  awsCost: AwsCost
}

"Tideline: a run's AWS usage priced at us-east-1 list prices (executor and timer jobs; not the event's ingest)."
type AwsCost {
  usd: Float!
  "AWS API calls counted."
  calls: Int!
  "Jobs (executor and timer deliveries) counted."
  jobs: Int!
  "Lambda milliseconds of those jobs."
  lambdaMs: Float!
  "Services with any cost, most expensive first."
  services: [AwsServiceCost!]!
}

type AwsServiceCost {
  service: String!
  usd: Float!
  "The units it was priced from, e.g. 14 WRU, 6 RRU."
  detail: String!
}

type RunsV2Connection {
  edges: [FunctionRunV2Edge!]!
  pageInfo: PageInfo!
  totalCount(preview: Boolean): Int!
}

type FunctionRunV2Edge {
  node: FunctionRunV2!
  cursor: String!
}

enum RunDeferStatus {
  SCHEDULED
  ABORTED
  REJECTED
}

type RunDefer {
  hashedDeferID: String!
  userlandDeferID: String!
  fnSlug: String!
  status: RunDeferStatus!
  function: Function
  runID: ULID
  run: FunctionRunV2
}

type RunDeferredFrom {
  runID: ULID!
  function: Function!
  run: FunctionRunV2
}

input RerunFromStepInput {
  stepID: String!
  input: Bytes
}
`;
