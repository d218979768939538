/** Apps and functions: the shapes of Inngest's dev-server schema (pkg/coreapi/gql.schema.graphql). */
export const APPS_SDL = /* GraphQL */ `
type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type Workspace {
  id: ID!
}

enum AppMethod {
  SERVE
  CONNECT
  API
}

input AppsFilterV1 {
  method: AppMethod
}

type App {
  id: ID!
  externalID: String!
  name: String!
  sdkLanguage: String!
  sdkVersion: String!
  framework: String
  url: String
  checksum: String
  error: String
  functions: [Function!]!
  method: AppMethod!
  appVersion: String
  connected: Boolean!
  functionCount: Int!
  autodiscovered: Boolean!
}

input FunctionQuery {
  workspaceId: ID! = "local"
  functionSlug: String!
}

type Function {
  id: String!
  name: String!
  slug: String!
  failureHandler: Function
  config: String!
  configuration: FunctionConfiguration!
  concurrency: Int!
  triggers: [FunctionTrigger!]
  url: String!
  appID: String!
  app: App!
  "Tideline: the function's runs queued since from (at most 1,000 read), by status, with their AWS cost."
  runStats(from: Time!): FunctionRunStats!
}

type FunctionRunStats {
  total: Int!
  running: Int!
  completed: Int!
  failed: Int!
  cancelled: Int!
  skipped: Int!
  "Null when run costs are not recorded (the runCosts setting off)."
  awsCostUsd: Float
  "More runs than were read: the figures cover the newest 1,000."
  truncated: Boolean!
}

enum FunctionTriggerTypes {
  EVENT
  CRON
}

type FunctionTrigger {
  type: FunctionTriggerTypes!
  value: String!
  condition: String
}

type FunctionConfiguration {
  cancellations: [CancellationConfiguration!]!
  retries: RetryConfiguration!
  priority: String
  eventsBatch: EventsBatchConfiguration
  concurrency: [ConcurrencyConfiguration!]!
  rateLimit: RateLimitConfiguration
  debounce: DebounceConfiguration
  throttle: ThrottleConfiguration
  singleton: SingletonConfiguration
}

type CancellationConfiguration {
  event: String!
  timeout: String
  condition: String
}

type RetryConfiguration {
  value: Int!
  isDefault: Boolean
}

type EventsBatchConfiguration {
  maxSize: Int!
  timeout: String!
  key: String
}

type ConcurrencyConfiguration {
  scope: ConcurrencyScope!
  limit: ConcurrencyLimitConfiguration!
  key: String
}

enum ConcurrencyScope {
  ACCOUNT
  ENVIRONMENT
  FUNCTION
}

type ConcurrencyLimitConfiguration {
  value: Int!
  isPlanLimit: Boolean
}

type RateLimitConfiguration {
  limit: Int!
  period: String!
  key: String
}

type DebounceConfiguration {
  period: String!
  key: String
}

type ThrottleConfiguration {
  burst: Int!
  key: String
  limit: Int!
  period: String!
}

type SingletonConfiguration {
  mode: SingletonMode!
  key: String
}

enum SingletonMode {
  SKIP
  CANCEL
}
`;
