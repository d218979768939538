import type { GateStore, LockClaim, LockRecord } from "../../ports/index.js";

/** GCRA state and singleton locks in maps; expired entries read as absent, as in the Dynamo store. */
export class MemoryGateStore implements GateStore {
  private readonly tats = new Map<string, number>();
  private readonly locks = new Map<string, LockRecord>();

  async getTat(key: string, now: number): Promise<number | undefined> {
    const tat = this.tats.get(key);
    return tat !== undefined && tat > now ? tat : undefined;
  }

  async setTat(key: string, expect: number | undefined, tat: number, now: number): Promise<boolean> {
    const stored = this.tats.get(key);
    const matches = expect === undefined ? stored === undefined || stored <= now : stored === expect;
    if (!matches) return false;
    this.tats.set(key, tat);
    return true;
  }

  async getLock(name: string, now: number): Promise<LockRecord | undefined> {
    const lock = this.locks.get(name);
    return lock && lock.until > now ? { ...lock } : undefined;
  }

  async claimLock(name: string, claim: LockClaim): Promise<boolean> {
    const lock = this.locks.get(name);
    const matches =
      claim.expect === undefined
        ? lock === undefined || lock.until <= claim.now
        : lock?.holder === claim.expect;
    if (!matches) return false;
    this.locks.set(name, { holder: claim.holder, since: claim.now, until: claim.until });
    return true;
  }

  async releaseLock(name: string, holder: string): Promise<boolean> {
    if (this.locks.get(name)?.holder !== holder) return false;
    this.locks.delete(name);
    return true;
  }
}
