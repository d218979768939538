/** Domain types shared by the core, the ports and the adapters. JSON values only. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** An event as stored and as sent to SDKs (`user` always present, `id` always set). */
export interface InngestEvent {
  name: string;
  data: JsonObject;
  /** The user's idempotency id, or the internal id when the sender gave none. */
  id: string;
  ts: number;
  user: JsonObject;
  v?: string;
}

/** An event accepted by the Event API, on its way through the stream. */
export interface AcceptedEvent {
  /** Server-generated ULID, returned to the sender in `ids`. */
  internalId: string;
  event: InngestEvent;
  receivedAt: number;
}

export type RunStatus = "Running" | "Completed" | "Failed" | "Cancelled";

/** A stored step result, exactly as it is sent back to the SDK in `steps` (PROTOCOL 4.5). */
export type StepValue = Json;

/** Serialized error as stored for failed steps and runs. */
export interface StoredError {
  name: string;
  message: string;
  stack?: string;
  cause?: Json;
  [key: string]: Json | undefined;
}

/** One unit of executor work: one SDK request. */
export interface Job {
  runId: string;
  fnSlug: string;
  /** "step" = discovery / run-the-function request; otherwise the hashed id of a planned step. */
  stepId: string;
  /** Zero-based attempt of this queue item. */
  attempt: number;
  /** The run's state version the job expects; a job for an older version is stale. */
  version: number;
  /** The flow partition (MessageGroupId). */
  partition: string;
}

export interface AppRecord {
  appId: string;
  url: string;
  sdk: string;
  framework?: string;
  appVersion?: string;
  functionSlugs: string[];
  checksum: string;
  createdAt: number;
  updatedAt: number;
}

export interface EventTrigger {
  event: string;
  expression?: string;
}
export interface CronTrigger {
  cron: string;
  jitter?: string;
}
export type Trigger = EventTrigger | CronTrigger;

export interface FunctionRecord {
  slug: string;
  appId: string;
  name: string;
  /** Stable internal id (UUID-shaped) for APIs that need one. */
  internalId: string;
  triggers: Trigger[];
  /** The SDK URL with fnId and stepId=step. */
  url: string;
  /** Number of retries (max attempts = retries + 1). */
  retries: number;
  /** The full config as synced, for features that later issues implement. */
  config: JsonObject;
  updatedAt: number;
}

export interface RunRecord {
  runId: string;
  fnSlug: string;
  appId: string;
  status: RunStatus;
  /** Internal id of the triggering event. */
  eventId: string;
  /** The triggering events, as sent to the SDK. */
  events: InngestEvent[];
  startedAt: number;
  endedAt?: number;
  output?: Json;
  error?: StoredError;
  /** State version; bumped by every committed transition. */
  version: number;
  /** SDK request version (-1 until the SDK reports one). */
  requestVersion: number;
  /** Hashed step ids in completion order (ctx.stack). */
  stack: string[];
  /** Follow-up jobs of the latest transition, re-sent if the executor crashed before sending. */
  next: ScheduledJob[];
}

export interface ScheduledJob {
  job: Job;
  /** Epoch ms at which the job is due; absent or past = now. */
  dueAt?: number;
}

export interface StepRecord {
  runId: string;
  stepId: string;
  value: StepValue;
  /** Display info for APIs and the timeline. */
  name?: string;
  op: string;
  attempts: number;
  at: number;
}
