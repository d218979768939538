/**
 * The operations. A subset of Inngest's (debug sessions, connect workers and app management are
 * not served); `sendEvent` is Tideline's own.
 */
export const ROOT_SDL = /* GraphQL */ `
schema {
  query: Query
  mutation: Mutation
}

type Query {
  apps(filter: AppsFilterV1): [App!]!
  app(id: UUID!): App
  stream(query: StreamQuery!): [StreamItem!]!
  event(query: EventQuery!): Event
  events(query: EventsQuery!): [Event!]
  eventV2(id: ULID!): EventV2!
  eventsV2(first: Int! = 40, after: String, filter: EventsFilter!): EventsConnection!
  functionBySlug(query: FunctionQuery!): Function
  functions: [Function!]
  functionRun(query: FunctionRunQuery!): FunctionRun
  runs(
    first: Int! = 100
    after: String
    orderBy: [RunsV2OrderBy!]!
    filter: RunsFilterV2!
    preview: Boolean
  ): RunsV2Connection!
  run(runID: String!): FunctionRunV2
  runTraceSpanOutputByID(outputID: String!): RunTraceSpanOutput!
  runTrigger(runID: String!): RunTraceTrigger!
  runTrace(runID: String!): RunTraceSpan!
}

type Mutation {
  cancelRun(runID: ULID!): FunctionRun!
  rerun(runID: ULID!, fromStep: RerunFromStepInput, debugSessionID: ULID, debugRunID: ULID): ULID!
  "Sends the JSON text of one event or an array of events, as the Event API takes them; returns their ids."
  sendEvent(payload: String!): [ULID!]!
  "Tideline: a new run of each run of the function that an event received in [from, until] started (at most 1,000); returns the new run ids."
  replayEvents(functionSlug: String!, from: Time!, until: Time!): [ULID!]!
}
`;
