/**
 * The one resource manifest: every table, queue, stream, bucket and schedule group Tideline uses.
 * The CDK stack (infra/stack) and the local runtime's bootstrap (infra/local) both build from this
 * list, and every handler finds its resources through the environment variables named here.
 */

export interface TableSpec {
  /** Logical id, used for construct ids and local physical names. */
  readonly id: string;
  /** Environment variable that carries the physical table name to handlers. */
  readonly env: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Attribute holding an epoch-seconds expiry. TTL is lazy: readers must still check it. */
  readonly ttlAttribute?: string;
  readonly purpose: string;
}

export interface QueueSpec {
  readonly id: string;
  readonly env: string;
  readonly fifo: boolean;
  /** Seconds a received message stays invisible; at least 6x the consumer's timeout on AWS. */
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  /** Logical id of the dead-letter queue and the receive count that sends a message there. */
  readonly deadLetter?: { readonly queueId: string; readonly maxReceiveCount: number };
  readonly purpose: string;
}

export interface StreamSpec {
  readonly id: string;
  readonly env: string;
  readonly purpose: string;
}

export interface BucketSpec {
  readonly id: string;
  readonly env: string;
  readonly purpose: string;
}

export const TABLES = {
  registry: {
    id: "Registry",
    env: "TIDELINE_TABLE_REGISTRY",
    partitionKey: "pk",
    sortKey: "sk",
    purpose: "apps, functions and the event-name trigger index",
  },
  events: {
    id: "Events",
    env: "TIDELINE_TABLE_EVENTS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    purpose: "received events (history with retention) and the runs each one started",
  },
  runs: {
    id: "Runs",
    env: "TIDELINE_TABLE_RUNS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    purpose: "run records, one item per step result, the runs-by-event index",
  },
  pauses: {
    id: "Pauses",
    env: "TIDELINE_TABLE_PAUSES",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    purpose: "waitForEvent, invoke and cancelOn pauses, found by event name",
  },
  flow: {
    id: "Flow",
    env: "TIDELINE_TABLE_FLOW",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expiresAt",
    purpose: "idempotency keys, concurrency leases, throttle/rate-limit state, debounce and batch buffers",
  },
} as const satisfies Record<string, TableSpec>;

export const QUEUES = {
  workDlq: {
    id: "WorkDlq",
    env: "TIDELINE_QUEUE_WORK_DLQ",
    fifo: true,
    visibilityTimeoutSeconds: 60,
    retentionSeconds: 14 * 24 * 3600,
    purpose: "work jobs that failed delivery repeatedly (infrastructure failures, not SDK errors)",
  },
  work: {
    id: "Work",
    env: "TIDELINE_QUEUE_WORK",
    fifo: true,
    // Executor timeout is 15 min on AWS; the runtime extends visibility for longer waits itself.
    visibilityTimeoutSeconds: 960,
    retentionSeconds: 14 * 24 * 3600,
    deadLetter: { queueId: "workDlq", maxReceiveCount: 10 },
    purpose: "executor jobs; MessageGroupId = flow partition, dedup id = deterministic job id",
  },
  timersDlq: {
    id: "TimersDlq",
    env: "TIDELINE_QUEUE_TIMERS_DLQ",
    fifo: false,
    visibilityTimeoutSeconds: 60,
    retentionSeconds: 14 * 24 * 3600,
    purpose: "timer messages that failed delivery repeatedly",
  },
  timers: {
    id: "Timers",
    env: "TIDELINE_QUEUE_TIMERS",
    fifo: false,
    visibilityTimeoutSeconds: 180,
    retentionSeconds: 14 * 24 * 3600,
    deadLetter: { queueId: "timersDlq", maxReceiveCount: 10 },
    purpose: "delayed items (DelaySeconds <= 900); long delays arrive here from Scheduler",
  },
} as const satisfies Record<string, QueueSpec>;

export const STREAMS = {
  events: {
    id: "EventStream",
    env: "TIDELINE_STREAM_EVENTS",
    purpose: "accepted events, read by the runner",
  },
} as const satisfies Record<string, StreamSpec>;

export const BUCKETS = {
  payloads: {
    id: "Payloads",
    env: "TIDELINE_BUCKET_PAYLOADS",
    purpose: "event payloads and step outputs too large for a DynamoDB item",
  },
} as const satisfies Record<string, BucketSpec>;

export const SCHEDULER = {
  groupEnv: "TIDELINE_SCHEDULE_GROUP",
  /** Role that EventBridge Scheduler assumes to send to the timers queue. */
  roleArnEnv: "TIDELINE_SCHEDULER_ROLE_ARN",
} as const;

export type TableName = keyof typeof TABLES;
export type QueueName = keyof typeof QUEUES;

/** Physical name of a resource in the local runtime (CloudFormation names them on AWS). */
export function localName(prefix: string, id: string, fifo = false): string {
  return `${prefix}-${id}${fifo ? ".fifo" : ""}`;
}
