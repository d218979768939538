/**
 * Ports: the narrow interfaces through which the core reaches state, queues, the stream, timers and
 * blobs. Two implementations of each: shared/adapters/aws (production) and shared/adapters/memory
 * (fast unit tests); both pass the same contract suite (test/contract). The core imports only these.
 */
import type {
  AcceptedEvent,
  AppRecord,
  AttemptRecord,
  FunctionRecord,
  InngestEvent,
  Job,
  Pause,
  PauseRef,
  RunMetadataRecord,
  RunRecord,
  RunStatus,
  RunSummary,
  StepRecord,
  StoredEventRecord,
  TimerItem,
  UserlandSpan,
} from "../domain/schemas.js";

export interface Clock {
  now(): number;
}

/** Apps, functions and the trigger index. */
export interface RegistryStore {
  getApp(appId: string): Promise<AppRecord | undefined>;
  listApps(): Promise<AppRecord[]>;
  /**
   * Stores an app sync: the app record, its functions and their trigger index entries, and removes
   * the functions (and their trigger entries) of the previous sync that are no longer present.
   */
  putAppSync(app: AppRecord, functions: FunctionRecord[], previous?: AppRecord): Promise<void>;
  /** A function by slug, archived ones included (in-flight runs still need their URL). */
  getFunction(slug: string): Promise<FunctionRecord | undefined>;
  /** Functions of the current syncs (archived ones left out). */
  listFunctions(): Promise<FunctionRecord[]>;
  /** Functions with an event trigger on exactly this name. */
  functionsForEvent(eventName: string): Promise<FunctionRecord[]>;
}

export interface EventStore {
  /** Idempotent: storing the same internal id twice keeps one record (the later runIds win). */
  putEvent(record: StoredEventRecord): Promise<void>;
  /** Stores several at once (idempotent like putEvent; for one id named twice, the later wins). */
  putEvents(records: StoredEventRecord[]): Promise<void>;
  /** Undefined when unknown or past its retention. */
  getEvent(internalId: string): Promise<StoredEventRecord | undefined>;
  /** Received events in the window, newest first, a page at a time. */
  listEvents(query: EventQuery, page: PageRequest): Promise<{ events: StoredEventRecord[]; cursor?: string }>;
}

/** A page of a listing: at most `limit` items after `cursor` (an opaque string from the last page). */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Which received events a listing returns (receivedAt in [from, until]). */
export interface EventQuery {
  from: number;
  until: number;
  /** Exact event names; absent = all. */
  names?: string[];
  /** Include `inngest/*` events (default false). */
  includeInternal?: boolean;
}

/** Which runs a listing returns: queued (startedAt) in [from, until], newest first unless asc. */
export interface RunQuery {
  from: number;
  until: number;
  fnSlugs?: string[];
  appIds?: string[];
  statuses?: RunStatus[];
  order?: "asc" | "desc";
}

/** Everything the trace of a run is built from. */
export interface RunHistory {
  run: RunRecord;
  steps: StepRecord[];
  attempts: AttemptRecord[];
  metadata: RunMetadataRecord[];
  userlandSpans: UserlandSpan[];
}

export type CreateRunResult = "created" | "exists" | "duplicate";

/** Pause writes that commit with a transition (the pauses table, same transaction). */
export interface PauseWrites {
  /** New pauses (a wait begins). */
  put?: Pause[];
  /**
   * The pause this transition resumes: deleted only if it still exists. If it is gone (the event
   * and the timeout raced and the other one won), nothing is written and the commit returns false.
   */
  consume?: PauseRef;
  /** Pauses to delete if present (the run ended: its cancel pauses and any wait). */
  remove?: PauseRef[];
}

export interface RunTransition {
  /** Step results to write; each is written only if not already present. */
  steps?: StepRecord[];
  pauses?: PauseWrites;
  /** Failed attempts to keep for the trace (same commit; unique by run version). */
  attempts?: AttemptRecord[];
  /** Fields of the run record to set (version is bumped by the store). */
  set: Partial<
    Pick<
      RunRecord,
      | "status"
      | "endedAt"
      | "output"
      | "error"
      | "requestVersion"
      | "stack"
      | "next"
      | "firstAttemptAt"
      | "outbox"
      | "pauses"
      | "defers"
      | "cancelledBy"
      | "carrier"
      | "stateBytes"
    >
  >;
  /** Epoch ms of the transition; becomes the run's `updatedAt`. */
  at: number;
}

export interface AppendSteps {
  jobId: string;
  steps: StepRecord[];
  /** Bytes of the steps' stored values. */
  bytes: number;
  maxStateBytes: number;
  at: number;
}

export type AppendResult = "ok" | "stale" | "full" | { stored: string[] };

export interface CompleteStep {
  jobId: string;
  step: StepRecord;
  /** Bytes of the step's stored value. */
  bytes: number;
  maxStateBytes: number;
  at: number;
}

/**
 * The run record as a store holds it after committing `t` on it: the fields `t` sets (undefined
 * ones left alone), the next version and `updatedAt`. Every RunStore must agree with this.
 */
export function applyTransition(run: RunRecord, t: RunTransition): RunRecord {
  const defined = Object.fromEntries(Object.entries(t.set).filter(([, v]) => v !== undefined));
  return { ...run, ...defined, version: run.version + 1, updatedAt: t.at };
}

/** What the recovery sweep needs of a run that may have lost its next job. */
export type StalledRun = Pick<RunRecord, "runId" | "version" | "next">;

export interface RunStore {
  /**
   * Creates the run (and its by-event index entry) unless it exists already ("exists": the same run,
   * e.g. a redelivered record) or the idempotency key is held by another run ("duplicate").
   */
  createRun(
    run: RunRecord,
    idempotency?: { key: string; expiresAt: number },
    /** Pauses created with the run (cancelOn), in the same transaction. */
    pauses?: Pause[],
  ): Promise<CreateRunResult>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** The run record and every stored step, in one read. */
  getRunState(runId: string): Promise<{ run: RunRecord; steps: StepRecord[] } | undefined>;
  /**
   * Commits a transition if the run is still at `expectVersion` and bumps the version to
   * expectVersion + 1. Returns false (writing nothing) only when another transition won the race;
   * any other failure (throttling, a transaction conflict, a step already written) throws, so the
   * job is delivered again rather than acknowledged with nothing committed.
   */
  commitTransition(runId: string, expectVersion: number, transition: RunTransition): Promise<boolean>;
  /**
   * Stores steps the SDK checkpointed while job `jobId` runs (PROTOCOL 6.1) in one conditional
   * write, without reading the run: they are appended to the stack and the version is bumped,
   * provided the run is Running, the job still pending, and the stored output stays within
   * `maxStateBytes`. "stale": the run ended or the job is no longer pending; "full": over the
   * limit; `stored`: these steps exist already (nothing was written; append the others again).
   */
  appendSteps(runId: string, append: AppendSteps): Promise<AppendResult>;
  /**
   * Settles job `jobId`, a planned step of a fan-out, with its step's result, without reading or
   * rewriting the run: the step is stored if absent, appended to the stack, and the job leaves the
   * pending set, provided the run is Running and the job pending. Concurrent settles of one
   * fan-out never conflict. Returns the run as it is after the write (who else is pending decides
   * the fan-in), "stale" when the job is no longer pending, "full" past `maxStateBytes`.
   */
  completeStep(runId: string, complete: CompleteStep): Promise<{ run: RunRecord } | "stale" | "full">;
  listRunsForEvent(eventId: string): Promise<RunRecord[]>;
  /** The run with its steps, failed attempts and API-written metadata: what its trace shows. */
  getRunHistory(runId: string): Promise<RunHistory | undefined>;
  /** One stored step result (an output fetched by id). */
  getStep(runId: string, stepId: string): Promise<StepRecord | undefined>;
  /** Appends metadata written through the API (idempotent per writeId). */
  addMetadata(records: RunMetadataRecord[]): Promise<void>;
  /** Keeps spans exported by the app (idempotent per run and span id: a re-export overwrites). */
  addUserlandSpans(spans: UserlandSpan[]): Promise<void>;
  /** Runs in the window, a page at a time (newest first unless `order` is "asc"). */
  listRuns(query: RunQuery, page: PageRequest): Promise<{ runs: RunSummary[]; cursor?: string }>;
  /** How many runs listRuns would return over all pages. */
  countRuns(query: RunQuery): Promise<number>;
  /**
   * Running runs with pending jobs, the earliest of which fell due before `dueBefore` (a job with
   * no `dueAt` is due at the run's last transition), a page at a time: the recovery sweep's
   * candidates. Runs with no pending job are not listed.
   */
  listStalledRuns(
    dueBefore: number,
    page: { limit: number; cursor?: string },
  ): Promise<{ runs: StalledRun[]; cursor?: string }>;
}

/**
 * Where waiting runs are found: pauses by event name (and, when the pause's condition pins a
 * value, by that value) and by signal. Pauses are written with run transitions (RunStore).
 */
export interface PauseStore {
  /**
   * The `async` paths the pauses on an event name are indexed by ("" = its unindexed partition);
   * [] when no pause was ever made on the name. Read once per name per runner batch.
   */
  indexedPaths(eventName: string): Promise<string[]>;
  /**
   * Pauses an event may resume or cancel, given its name's indexed paths: those in the name's
   * unindexed partition and those indexed by a path whose value this event has. Expired pauses
   * may be included; callers check `expiresAt`.
   */
  candidates(event: InngestEvent, paths: readonly string[]): Promise<Pause[]>;
  /** The pause waiting on a signal, if any. */
  forSignal(signal: string): Promise<Pause | undefined>;
}

/** The FIFO work queue. */
export interface WorkQueue {
  /** Sends jobs now; MessageGroupId = job.partition, dedup id = jobId(job). */
  send(jobs: Job[]): Promise<void>;
}

/** Delays of any length: SQS DelaySeconds up to 15 min, EventBridge Scheduler beyond. */
export interface TimerService {
  /** Same item and due time twice = delivered at least once, normally once. */
  schedule(item: TimerItem, dueAt: number): Promise<void>;
}

export interface EventStream {
  put(events: AcceptedEvent[]): Promise<void>;
}

export interface BlobStore {
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
}

/** What became of a request to an app's URL. */
export type AppHttpResult =
  | {
      ok: true;
      status: number /** Where a redirect pointed (never followed). */;
      location?: string;
      body: string;
    }
  /** No app answered: `refused` when the address was refused by policy, else unreachable. */
  | { ok: false; refused: boolean; reason: string };

/** Requests Tideline makes to an app's URL on a caller's behalf: never following redirects. */
export interface AppHttp {
  request(
    url: URL,
    opts: {
      method: "PUT" | "GET";
      timeoutMs: number;
      /** Why an address may not be connected to (checked for every address the host resolves to). */
      refuseAddress?: (address: string) => string | undefined;
    },
  ): Promise<AppHttpResult>;
}

/**
 * A bulk cancellation (SEMANTICS 5.10): cancel the runs of one function started in a window
 * (and, with `if`, whose triggering event matches). Times are epoch ms.
 */
export interface CancellationRecord {
  /** A ULID: listings are newest first by id. */
  id: string;
  appId: string;
  /** The function's slug. */
  fnSlug: string;
  /** The function's internal id, when the cancellation was made. */
  fnInternalId: string;
  /** Runs started at or after this time (absent: any time before `startedBefore`). */
  startedAfter?: number;
  /** Runs started at or before this time. */
  startedBefore: number;
  /** An expression over `event` (the run's triggering event); absent = every run in the window. */
  if?: string;
  createdAt: number;
}

/** Stored bulk cancellations: a small set, read whole by the runner. */
export interface CancellationStore {
  /** Stores the record (a second put of the same id replaces it). */
  put(record: CancellationRecord): Promise<void>;
  get(id: string): Promise<CancellationRecord | undefined>;
  /** Newest first (by id), a page at a time. */
  list(page: PageRequest): Promise<{ cancellations: CancellationRecord[]; cursor?: string }>;
  /** Removes the record; false when there was none. */
  delete(id: string): Promise<boolean>;
}
export * from "./concurrency.js";

/** A cron trigger's recurring schedule, in EventBridge Scheduler's terms (domain/schedulerCron). */
export interface CronSchedule {
  /** The trigger's cron as synced: the fired timer item names it. */
  cron: string;
  /** `cron(min hour dom month dow year)`. */
  expression: string;
  /** IANA zone the expression is read in. */
  timezone: string;
}

/** The recurring schedules that fire cron triggers: one per (function, cron). */
export interface CronSchedules {
  /**
   * Makes the function's schedules exactly `schedules`: creates the missing ones, replaces the
   * others, deletes those no longer wanted ([] deletes all of them). Idempotent.
   */
  sync(fnSlug: string, schedules: CronSchedule[]): Promise<void>;
}
export * from "./buffers.js";
export * from "./gates.js";
