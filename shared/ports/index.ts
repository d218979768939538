/**
 * Ports: the narrow interfaces through which the core reaches state, queues, the stream, timers and
 * blobs. AWS implementations live in shared/adapters/aws; the core imports only these types.
 */
import type { AcceptedEvent, AppRecord, FunctionRecord, Job, RunRecord, StepRecord } from "../core/types.js";

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
  getFunction(slug: string): Promise<FunctionRecord | undefined>;
  listFunctions(): Promise<FunctionRecord[]>;
  /** Functions with an event trigger on exactly this name. */
  functionsForEvent(eventName: string): Promise<FunctionRecord[]>;
}

export interface StoredEventRecord extends AcceptedEvent {
  /** Run ids this event started ([] = recorded as unmatched). */
  runIds: string[];
}

export interface EventStore {
  /** Idempotent: storing the same internal id twice keeps one record (the later runIds win). */
  putEvent(record: StoredEventRecord): Promise<void>;
  getEvent(internalId: string): Promise<StoredEventRecord | undefined>;
}

export type CreateRunResult = "created" | "exists" | "duplicate";

export interface RunTransition {
  /** Step results to write; each is written only if not already present. */
  steps?: StepRecord[];
  /** Fields of the run record to set (version is bumped by the store). */
  set: Partial<
    Pick<RunRecord, "status" | "endedAt" | "output" | "error" | "requestVersion" | "stack" | "next">
  >;
}

export interface RunStore {
  /**
   * Creates the run (and its by-event index entry) unless it exists already ("exists": the same run,
   * e.g. a redelivered record) or the idempotency key is held by another run ("duplicate").
   */
  createRun(run: RunRecord, idempotency?: { key: string; expiresAt: number }): Promise<CreateRunResult>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** The run record and every stored step, in one read. */
  getRunState(runId: string): Promise<{ run: RunRecord; steps: StepRecord[] } | undefined>;
  /**
   * Commits a transition if the run is still at `expectVersion`; returns false (writing nothing)
   * if another transition won. Bumps the version to expectVersion + 1.
   */
  commitTransition(runId: string, expectVersion: number, transition: RunTransition): Promise<boolean>;
  listRunsForEvent(eventId: string): Promise<RunRecord[]>;
}

/** The FIFO work queue. */
export interface WorkQueue {
  /** Sends jobs now; MessageGroupId = job.partition, dedup id = jobId(job). */
  send(jobs: Job[]): Promise<void>;
}

/** A delayed item; kinds beyond "job" come with later features (wait timeouts, debounce...). */
export type TimerItem = { kind: "job"; job: Job };

/** Delays of any length: SQS DelaySeconds up to 15 min, EventBridge Scheduler beyond. */
export interface TimerService {
  schedule(item: TimerItem, dueAt: number): Promise<void>;
}

export interface EventStream {
  put(events: AcceptedEvent[]): Promise<void>;
}

export interface BlobStore {
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
}
