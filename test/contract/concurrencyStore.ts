import { beforeEach, describe, expect, it } from "vitest";
import { type Job, jobId } from "../../shared/domain/schemas.js";
import type { ConcurrencyStore } from "../../shared/ports/index.js";
import { T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";

export interface ConcurrencyStoreHarness {
  store: ConcurrencyStore;
}

function job(runId: string, stepId = "step"): Job {
  return {
    runId,
    fnSlug: "fn",
    stepId,
    attempt: 0,
    version: 0,
    partition: runId,
    limits: [{ key: "k", limit: 1 }],
  };
}

/**
 * The ConcurrencyStore port's contract. Every test uses its own random key, so a store shared with
 * other tests answers the same.
 */
export function describeConcurrencyStore(name: string, make: () => Promise<ConcurrencyStoreHarness>): void {
  describe(`ConcurrencyStore contract: ${name}`, () => {
    let store: ConcurrencyStore;
    let key: string;
    const now = T0;
    const lease = (
      holder: string,
      limit: number,
      extra: { until?: number; at?: number; yieldToWaiting?: boolean } = {},
    ) =>
      store.acquire(key, {
        holder,
        limit,
        until: extra.until ?? now + 60_000,
        now: extra.at ?? now,
        ...(extra.yieldToWaiting ? { yieldToWaiting: true } : {}),
      });
    beforeEach(async () => {
      ({ store } = await make());
      key = `f:fn-${randomSuffix()}`;
    });

    it("grants up to the limit, then refuses; a holder renews whatever the count", async () => {
      expect(await lease("a", 2)).toBe(true);
      expect(await lease("b", 2)).toBe(true);
      expect(await lease("c", 2)).toBe(false);
      expect(await lease("a", 2, { until: now + 120_000 })).toBe(true);
      expect(await store.status(key, now)).toEqual({ live: 2, waiting: 0 });
    });

    it("a release frees the slot; releasing a lease not held changes nothing", async () => {
      expect(await lease("a", 1)).toBe(true);
      expect(await store.release(key, "nobody", now)).toEqual({ live: 1, waiting: 0 });
      expect(await store.release(key, "a", now)).toEqual({ live: 0, waiting: 0 });
      expect(await lease("b", 1)).toBe(true);
    });

    it("reclaims a lease at its expiry, not a millisecond before", async () => {
      expect(await lease("a", 1, { until: now + 1000 })).toBe(true);
      expect(await lease("b", 1, { at: now + 999 })).toBe(false);
      expect(await lease("b", 1, { at: now + 1000 })).toBe(true);
      expect(await store.status(key, now + 1000)).toEqual({ live: 1, waiting: 0 });
    });

    it("counts a lease live until its expiry, and not at it", async () => {
      expect(await lease("a", 1, { until: now + 1000 })).toBe(true);
      expect(await store.status(key, now + 999)).toEqual({ live: 1, waiting: 0 });
      expect(await store.status(key, now + 1000)).toEqual({ live: 0, waiting: 0 });
    });

    it("takes a lapsed lease its executor owned again as new, at its exact expiry", async () => {
      const held = { holder: "job", limit: 1, until: now + 1000, now, owner: "e1" };
      expect(await store.claim(key, held)).toBe("held");
      expect(await lease("job", 1, { at: now + 1000, until: now + 61_000 })).toBe(true);
      expect(await store.status(key, now + 1000)).toEqual({ live: 1, waiting: 0 });
      // Whoever owned it is gone: its renewal takes nothing.
      expect(await store.extend(key, { holder: "job", owner: "e1", until: now + 90_000 })).toBe(false);
    });

    it("fresh requests yield to parked jobs; taken jobs come out lowest score first, each once", async () => {
      expect(await store.park(key, job("r3"), 300, now)).toEqual({ live: 0, waiting: 1 });
      await store.park(key, job("r1"), 100, now);
      await store.park(key, job("r2"), 200, now);
      expect((await store.status(key, now)).waiting).toBe(3);
      expect(await lease("fresh", 5, { yieldToWaiting: true })).toBe(false);
      expect(await lease("taken", 5)).toBe(true);
      const [first = [], second = []] = await Promise.all([
        store.takeParked(key, 2),
        store.takeParked(key, 2),
      ]);
      const together = [...first, ...second].map((j) => j.runId);
      // Nothing is taken twice, and the lowest score is among the first taken.
      expect(new Set(together).size).toBe(together.length);
      expect(together).toContain("r1");
      const rest = (await store.takeParked(key, 5)).map((j) => j.runId);
      expect([...together, ...rest].sort()).toEqual(["r1", "r2", "r3"]);
      expect(await store.takeParked(key, 5)).toEqual([]);
      expect((await store.status(key, now)).waiting).toBe(0);
      expect(await lease("fresh", 5, { yieldToWaiting: true })).toBe(true);
    });

    it("extends a lease only for the executor that owns it, and never after its release", async () => {
      expect(await store.claim(key, { holder: "job", limit: 1, until: now + 1000, now, owner: "e1" })).toBe(
        "held",
      );
      expect(await store.extend(key, { holder: "job", owner: "e2", until: now + 5000 })).toBe(false);
      expect(await store.extend(key, { holder: "job", owner: "e1", until: now + 5000 })).toBe(true);
      // Still held at +4 s thanks to the extension.
      expect(await lease("other", 1, { at: now + 4000 })).toBe(false);
      // Released only by its owner (or when unowned): another executor leaves it alone.
      expect((await store.release(key, "job", now, "e2")).live).toBe(1);
      await store.release(key, "job", now, "e1");
      expect(await store.extend(key, { holder: "job", owner: "e1", until: now + 9000 })).toBe(false);
      expect((await store.status(key, now)).live).toBe(0);
    });

    it("counts a job parked twice at the same place once", async () => {
      await store.park(key, job("r1"), 100, now);
      expect((await store.park(key, job("r1"), 100, now)).waiting).toBe(1);
      expect((await store.takeParked(key, 5)).map((j) => j.runId)).toEqual(["r1"]);
      expect((await store.status(key, now)).waiting).toBe(0);
    });

    it("keeps a parked job's fields", async () => {
      const parked: Job = { ...job("r9", "s1"), score: 12, race: true };
      await store.park(key, parked, 12, now);
      expect(await store.takeParked(key, 1)).toEqual([parked]);
      expect(jobId(parked)).toBe("r9-0-s1-0");
    });

    it("20 concurrent requests for 3 slots: exactly 3 win", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => lease(`h${i}`, 3)));
      expect(results.filter(Boolean)).toHaveLength(3);
      expect((await store.status(key, now)).live).toBe(3);
    });

    it("concurrent requests after every lease expired: the limit still holds", async () => {
      for (const h of ["a", "b", "c"]) expect(await lease(h, 3, { until: now + 10 })).toBe(true);
      const later = now + 1000;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => lease(`n${i}`, 3, { at: later, until: later + 60_000 })),
      );
      expect(results.filter(Boolean).length).toBeLessThanOrEqual(3);
      expect(results.filter(Boolean).length).toBeGreaterThan(0);
      expect((await store.status(key, later)).live).toBe(results.filter(Boolean).length);
    });

    it("an executor's claim: held for its owner, busy for another while live, taken over once lapsed", async () => {
      const claim = (holder: string, owner: string, at = now, until = at + 1000) =>
        store.claim(key, { holder, limit: 2, until, now: at, owner });
      expect(await lease("job", 2)).toBe(true);
      expect(await claim("job", "exec-1")).toBe("held");
      expect(await claim("job", "exec-1")).toBe("held");
      expect(await claim("job", "exec-2")).toBe("busy");
      // A dispatch of the same job again does not extend a lease its executor owns.
      expect(await lease("job", 2, { until: now + 60_000 })).toBe(true);
      expect(await claim("job", "exec-2", now + 999)).toBe("busy");
      expect(await claim("job", "exec-2", now + 1000)).toBe("held");
      expect(await claim("other", "exec-3", now + 1000)).toBe("held");
      expect(await claim("third", "exec-4", now + 1000)).toBe("full");
      await store.release(key, "job", now + 1000, "exec-2");
      expect(await claim("job", "exec-5", now + 1000)).toBe("held");
    });

    it("one capacity check is claimed at a time, and again once it is due; a park reports it", async () => {
      expect(await store.claimCheck(key, now + 1000, now)).toBe(true);
      expect((await store.park(key, job("r1"), 1, now)).checkAt).toBe(now + 1000);
      expect(await store.claimCheck(key, now + 2000, now + 10)).toBe(false);
      expect(await store.claimCheck(key, now + 3000, now + 1000)).toBe(true);
    });
  });
}
