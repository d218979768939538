/**
 * Concurrency leases and the jobs waiting for them (SEMANTICS 4; core/flow/concurrency.ts).
 * A counter key has leases (holder = job id, each with an expiry, so a crashed executor frees its
 * slot) and a backlog of parked jobs ordered by score (lower first).
 */
import type { Job } from "../domain/schemas.js";

export interface LeaseRequest {
  /** Job id. A holder that already holds a lease renews it (whatever the count). */
  holder: string;
  limit: number;
  /** Epoch ms the lease lasts until. */
  until: number;
  now: number;
  /** Yield to parked jobs: refuse while any job waits on the key, so none is overtaken. */
  yieldToWaiting?: boolean;
}

export interface ConcurrencyStatus {
  /** Leases not yet expired. */
  live: number;
  /** Jobs parked on the key. */
  waiting: number;
}

export interface ConcurrencyStore {
  /** Takes or renews `holder`'s lease when fewer than `limit` live leases are held; expired ones are reclaimed. */
  acquire(key: string, lease: LeaseRequest): Promise<boolean>;
  /**
   * An executor's claim on the lease of the job it runs: `held` when the job's lease is taken or
   * renewed and now owned by `owner`; `busy` when it is live and owned by another executor (this
   * is a second delivery of a job already running); `full` when there is no room.
   */
  claim(key: string, lease: LeaseRequest & { owner: string }): Promise<"held" | "busy" | "full">;
  /** Extends the lease `owner` holds on `holder`; false when it holds it no more (nothing written). */
  extend(key: string, lease: { holder: string; owner: string; until: number }): Promise<boolean>;
  /**
   * Drops `holder`'s lease when it is unowned or owned by `owner` (a lease another executor owns
   * is left alone; no-op when none is held); the key's status after.
   */
  release(key: string, holder: string, now: number, owner?: string): Promise<ConcurrencyStatus>;
  /**
   * Parks `job` on the key at `score` (a job parked twice is kept once); the key's status after,
   * and when its capacity check is due (undefined = none claimed).
   */
  park(key: string, job: Job, score: number, now: number): Promise<ConcurrencyStatus & { checkAt?: number }>;
  /** Removes and returns up to `n` parked jobs with the lowest scores; each is taken by one caller only. */
  takeParked(key: string, n: number): Promise<Job[]>;
  status(key: string, now: number): Promise<ConcurrencyStatus>;
  /**
   * Claims the key's next capacity check at `at`, unless one is already due later than `now`.
   * True when this call claimed it (the caller then schedules the check).
   */
  claimCheck(key: string, at: number, now: number): Promise<boolean>;
}
