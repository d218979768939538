import { type Job, jobId } from "../../domain/schemas.js";
import type { ConcurrencyStatus, ConcurrencyStore, LeaseRequest } from "../../ports/index.js";

interface Counter {
  leases: Map<string, number>;
  /** The executor that runs each leased job (set by claim). */
  owners: Map<string, string>;
  parked: Map<string, { job: Job; score: number }>;
  checkAt?: number;
}

/** Concurrency leases and backlogs in memory (same contract as DynamoConcurrencyStore). */
export class MemoryConcurrencyStore implements ConcurrencyStore {
  private readonly counters = new Map<string, Counter>();
  /** Most live leases ever held at once per key (for tests). */
  readonly peak = new Map<string, number>();

  private counter(key: string): Counter {
    let c = this.counters.get(key);
    if (!c) {
      c = { leases: new Map(), owners: new Map(), parked: new Map() };
      this.counters.set(key, c);
    }
    return c;
  }

  private statusOf(c: Counter, now: number): ConcurrencyStatus {
    let live = 0;
    for (const until of c.leases.values()) if (until > now) live++;
    return { live, waiting: c.parked.size };
  }

  async acquire(key: string, lease: LeaseRequest): Promise<boolean> {
    return this.take(key, lease);
  }

  /** Acquire without a suspension point, so a claim checks and sets its owner atomically. */
  private take(key: string, lease: LeaseRequest): boolean {
    const c = this.counter(key);
    const held = c.leases.get(lease.holder);
    if (held !== undefined && held > lease.now) {
      // Admitted already: an executor that owns it keeps it as it is.
      if (!c.owners.has(lease.holder)) c.leases.set(lease.holder, lease.until);
      return true;
    }
    if (lease.yieldToWaiting && c.parked.size > 0) return false;
    for (const [holder, until] of c.leases) {
      if (until > lease.now) continue;
      c.leases.delete(holder);
      c.owners.delete(holder);
    }
    if (c.leases.size >= lease.limit) return false;
    c.leases.set(lease.holder, lease.until);
    this.peak.set(key, Math.max(this.peak.get(key) ?? 0, this.statusOf(c, lease.now).live));
    return true;
  }

  async claim(key: string, lease: LeaseRequest & { owner: string }): Promise<"held" | "busy" | "full"> {
    const c = this.counter(key);
    const until = c.leases.get(lease.holder);
    const owner = c.owners.get(lease.holder);
    if (until !== undefined && until > lease.now && owner !== undefined && owner !== lease.owner)
      return "busy";
    if (!this.take(key, lease)) return "full";
    c.leases.set(lease.holder, lease.until);
    c.owners.set(lease.holder, lease.owner);
    return "held";
  }

  async extend(key: string, lease: { holder: string; owner: string; until: number }): Promise<boolean> {
    const c = this.counter(key);
    if (c.owners.get(lease.holder) !== lease.owner || !c.leases.has(lease.holder)) return false;
    c.leases.set(lease.holder, lease.until);
    return true;
  }

  async release(key: string, holder: string, now: number, owner?: string): Promise<ConcurrencyStatus> {
    const c = this.counter(key);
    const owns = c.owners.get(holder);
    if (owns === undefined || owns === owner) {
      c.leases.delete(holder);
      c.owners.delete(holder);
    }
    return this.statusOf(c, now);
  }

  async park(
    key: string,
    job: Job,
    score: number,
    now: number,
  ): Promise<ConcurrencyStatus & { checkAt?: number }> {
    const c = this.counter(key);
    c.parked.set(jobId(job), { job: structuredClone(job), score });
    return { ...this.statusOf(c, now), ...(c.checkAt !== undefined ? { checkAt: c.checkAt } : {}) };
  }

  async takeParked(key: string, n: number): Promise<Job[]> {
    const c = this.counter(key);
    const best = [...c.parked.entries()]
      .sort(([ia, a], [ib, b]) => a.score - b.score || (ia < ib ? -1 : 1))
      .slice(0, n);
    for (const [id] of best) c.parked.delete(id);
    return best.map(([, p]) => p.job);
  }

  async status(key: string, now: number): Promise<ConcurrencyStatus> {
    return this.statusOf(this.counter(key), now);
  }

  async claimCheck(key: string, at: number, now: number): Promise<boolean> {
    const c = this.counter(key);
    if (c.checkAt !== undefined && c.checkAt > now) return false;
    c.checkAt = at;
    return true;
  }
}
