/**
 * State of the gates a run passes before it starts (core/flow): GCRA state for throttle and rate
 * limits (SEMANTICS 5.1, 5.2, 5.6) and singleton locks (5.7). Both are compare-and-set: callers
 * read, decide and write conditionally, and read again when another writer came first.
 * Times are epoch ms; `now` is passed in so an expired item (TTL deletes late) reads as absent.
 */

/** Who holds a singleton lock. */
export interface LockRecord {
  /** The holder's run id. */
  holder: string;
  /** When the holder claimed it. */
  since: number;
  /** The lock is free from this time on, whoever holds it (a bound for garbage collection). */
  until: number;
}

export interface LockClaim {
  holder: string;
  /** The holder the claim replaces; undefined when the lock must be free (or expired). */
  expect: string | undefined;
  now: number;
  until: number;
}

export interface GateStore {
  /** The key's theoretical arrival time; undefined when none is stored or it is not after `now`. */
  getTat(key: string, now: number): Promise<number | undefined>;
  /**
   * Stores `tat` for the key if its state is still `expect` (undefined: no state, or one not after
   * `now`). False when another writer changed it first; nothing is written then.
   */
  setTat(key: string, expect: number | undefined, tat: number, now: number): Promise<boolean>;
  /** The lock's holder; undefined when free or expired at `now`. */
  getLock(name: string, now: number): Promise<LockRecord | undefined>;
  /** Makes `claim.holder` the holder if the lock is still as `claim.expect` says; false otherwise. */
  claimLock(name: string, claim: LockClaim): Promise<boolean>;
  /** Frees the lock if `holder` holds it; false when it did not. */
  releaseLock(name: string, holder: string): Promise<boolean>;
}
