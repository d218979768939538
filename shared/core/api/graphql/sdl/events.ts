/** Events and the stream, as in Inngest's dev-server schema. */
export const EVENTS_SDL = /* GraphQL */ `
input EventQuery {
  workspaceId: ID! = "local"
  eventId: ID!
}

input EventsQuery {
  workspaceId: ID! = "local"
  lastEventId: ID
}

input StreamQuery {
  after: ID
  before: ID
  limit: Int! = 20
  includeInternalEvents: Boolean
}

input EventsFilter {
  eventNames: [String!]
  from: Time!
  includeInternalEvents: Boolean! = false
  query: String
  until: Time
}

enum StreamType {
  EVENT
  CRON
}

type StreamItem {
  id: ID!
  trigger: String!
  type: StreamType!
  createdAt: Time!
  runs: [FunctionRun]
  inBatch: Boolean!
}

enum EventStatus {
  RUNNING
  COMPLETED
  PAUSED
  FAILED
  PARTIALLY_FAILED
  NO_FUNCTIONS
}

type Event {
  id: ULID!
  externalID: String
  workspace: Workspace
  name: String
  createdAt: Time
  payload: String
  schema: String
  status: EventStatus
  pendingRuns: Int
  totalRuns: Int
  raw: String
  functionRuns: [FunctionRun!]
}

type EventsConnection {
  edges: [EventsEdge!]!
  pageInfo: PageInfo!
  totalCount: Int!
}

type EventsEdge {
  node: EventV2!
  cursor: String!
}

type EventSource {
  id: ID!
  name: String
  sourceKind: String!
}

type EventV2 {
  envID: UUID!
  id: ULID!
  idempotencyKey: String
  name: String!
  occurredAt: Time!
  raw: String!
  receivedAt: Time!
  runs: [FunctionRunV2!]!
  source: EventSource
  version: String
}
`;
