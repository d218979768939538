import type {
  AcceptedEvent,
  DeferRecord,
  FunctionRecord,
  Job,
  MetadataEntry,
  Outbox,
  Pause,
  RunRecord,
  StepRecord,
  StoredError,
} from "../../../domain/schemas.js";
import type { StepOp } from "../../../protocol/sdkResponse.js";

/** What every op handler may read: the job, the run's progress and the answer's retry headers. */
export interface OpContext {
  job: Job;
  /** The run as the job found it (its events, pauses and defers). */
  run: RunRecord;
  /** Functions that InvokeFunction ops of this answer target, by slug (undefined = unknown). */
  invokeTargets: ReadonlyMap<string, FunctionRecord | undefined>;
  /** Who waits on each signal a WaitForSignal op of this answer names. */
  signalHolders: ReadonlyMap<string, Pause | undefined>;
  maxAttempts: number;
  now: number;
  /** When the SDK request that brought this answer began. */
  startedAt: number;
  /** Delay before retry number `failedAttempt + 1` (backoff or fixed interval). */
  retryDelayMs: (failedAttempt: number) => number;
  /** False when the SDK said x-inngest-no-retry: true. */
  retriable: boolean;
  /** A retry time the SDK asked for (retry-after). */
  retryAt?: number;
}

/** How the run goes on after an op: a new discovery, a planned step, or this job again. */
export type Continuation =
  /** A result was stored (`at` absent: discover now) or a sleep ends at `at`. */
  | { kind: "discover"; at?: number }
  /** The run waits on a pause: no job until an event, a signal or the timeout resumes it. */
  | { kind: "wait" }
  /** A planned step: one targeted job each, all in flight at once (a fan-out). */
  | { kind: "plan"; stepId: string; race?: boolean }
  | { kind: "retry"; at: number };

/** What one op contributes to the run's transition. */
export interface OpEffect {
  /** Results to store (a step that ran or failed for good, a sleep's memo). */
  steps?: StepRecord[];
  /** How the run goes on; absent for ops that only record (lazy ops). */
  continueWith?: Continuation;
  /**
   * True when the op takes the run's next turn by itself (a sleep, a retry): only the first such op
   * of an answer is applied, and only when the answer plans no step; the SDK reports the others
   * again at the next discovery. Results of ops that already ran are always kept.
   */
  exclusive?: boolean;
  /** An attempt that failed and will be retried: kept for the run's trace. */
  failedAttempt?: { stepId: string; name?: string; error: StoredError; metadata?: MetadataEntry[] };
  /** Ends the run as Failed (the first failing op of an answer wins). */
  fail?: StoredError;
  /** Pauses the run begins to wait on (committed with the transition). */
  pauses?: Pause[];
  /** Events and timers to send once the transition commits. */
  outbox?: { events?: AcceptedEvent[]; timers?: NonNullable<Outbox["timers"]> };
  /** Defers recorded (by hashed id), merged into the run's. */
  defers?: Record<string, DeferRecord>;
  /** Hashed ids of defers to abort (applied after this answer's additions). */
  abortDefers?: string[];
  /** A short description for logs (never user data). */
  summary: string;
}

export interface OpHandler {
  /** Lazy ops ride along any answer and never drive the run (PROTOCOL 6.4). */
  readonly lazy?: boolean;
  handle(ctx: OpContext, op: StepOp): OpEffect;
}
