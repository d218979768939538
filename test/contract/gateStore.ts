import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../shared/adapters/memory/ManualClock.js";
import { reserveSlot } from "../../shared/core/flow/gcraState.js";
import type { GateStore } from "../../shared/ports/index.js";
import { T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";

export interface GateStoreHarness {
  store: GateStore;
}

const YEAR = 365 * 24 * 3600 * 1000;

/**
 * The GateStore port's contract: GCRA state and singleton locks, both compare-and-set. Every test
 * uses its own random keys, so a store shared with other tests answers the same.
 */
export function describeGateStore(name: string, make: () => Promise<GateStoreHarness>): void {
  describe(`GateStore contract: ${name}`, () => {
    let store: GateStore;
    let key: string;
    beforeEach(async () => {
      ({ store } = await make());
      key = `k-${randomSuffix()}`;
    });

    describe("GCRA state", () => {
      it("has none for an unknown key", async () => {
        expect(await store.getTat(key, T0)).toBeUndefined();
      });

      it("is created from none, then replaced only where it is still the expected TAT", async () => {
        expect(await store.setTat(key, undefined, T0 + 500, T0)).toBe(true);
        expect(await store.getTat(key, T0)).toBe(T0 + 500);
        expect(await store.setTat(key, undefined, T0 + 900, T0)).toBe(false);
        expect(await store.setTat(key, T0 + 499, T0 + 900, T0)).toBe(false);
        expect(await store.getTat(key, T0)).toBe(T0 + 500);
        expect(await store.setTat(key, T0 + 500, T0 + 900, T0)).toBe(true);
        expect(await store.getTat(key, T0)).toBe(T0 + 900);
      });

      it("counts a TAT not after now as none: it reads as none and is replaced as none", async () => {
        await store.setTat(key, undefined, T0 + 500, T0);
        expect(await store.getTat(key, T0 + 499)).toBe(T0 + 500);
        expect(await store.getTat(key, T0 + 500)).toBeUndefined();
        expect(await store.setTat(key, undefined, T0 + 1500, T0 + 500)).toBe(true);
        expect(await store.getTat(key, T0 + 500)).toBe(T0 + 1500);
      });

      it("keeps fractional TATs exactly (they are compared as they were read)", async () => {
        const third = T0 + 1000 / 3;
        await store.setTat(key, undefined, third, T0);
        expect(await store.getTat(key, T0)).toBe(third);
        expect(await store.setTat(key, third, third + 1000 / 3, T0)).toBe(true);
        expect(await store.getTat(key, T0)).toBe(third + 1000 / 3);
      });

      it("gives 50 concurrent reservations on one key distinct slots, one interval apart", async () => {
        const clock = new ManualClock(T0);
        const slots = await Promise.all(
          Array.from({ length: 50 }, () => reserveSlot(store, clock, key, { intervalMs: 100, capacity: 3 })),
        );
        const tats = slots.map((s) => s.tat).sort((a, b) => a - b);
        expect(tats).toEqual(Array.from({ length: 50 }, (_, i) => T0 + (i + 1) * 100));
        const starts = slots.map((s) => s.at - T0).sort((a, b) => a - b);
        expect(starts).toEqual([0, 0, 0, ...Array.from({ length: 47 }, (_, i) => (i + 1) * 100)]);
        expect(await store.getTat(key, T0)).toBe(T0 + 5000);
      });
    });

    describe("locks", () => {
      const claim = (holder: string, expect: string | undefined, now = T0, until = T0 + YEAR) => ({
        holder,
        expect,
        now,
        until,
      });

      it("is free until claimed, then held by its claimer", async () => {
        expect(await store.getLock(key, T0)).toBeUndefined();
        expect(await store.claimLock(key, claim("run-a", undefined))).toBe(true);
        expect(await store.getLock(key, T0 + 1)).toEqual({ holder: "run-a", since: T0, until: T0 + YEAR });
      });

      it("refuses a claim of a held lock unless it names the holder, which it then replaces", async () => {
        await store.claimLock(key, claim("run-a", undefined));
        expect(await store.claimLock(key, claim("run-b", undefined, T0 + 5))).toBe(false);
        expect(await store.claimLock(key, claim("run-b", "run-c", T0 + 5))).toBe(false);
        expect((await store.getLock(key, T0 + 5))?.holder).toBe("run-a");
        expect(await store.claimLock(key, claim("run-b", "run-a", T0 + 5))).toBe(true);
        expect(await store.getLock(key, T0 + 5)).toEqual({
          holder: "run-b",
          since: T0 + 5,
          until: T0 + YEAR,
        });
      });

      it("refuses a claim naming a holder when the lock is free", async () => {
        expect(await store.claimLock(key, claim("run-b", "run-a"))).toBe(false);
        expect(await store.getLock(key, T0)).toBeUndefined();
      });

      it("is released only by its holder", async () => {
        await store.claimLock(key, claim("run-a", undefined));
        expect(await store.releaseLock(key, "run-b")).toBe(false);
        expect((await store.getLock(key, T0))?.holder).toBe("run-a");
        expect(await store.releaseLock(key, "run-a")).toBe(true);
        expect(await store.getLock(key, T0)).toBeUndefined();
        expect(await store.releaseLock(key, "run-a")).toBe(false);
        expect(await store.claimLock(key, claim("run-c", undefined))).toBe(true);
      });

      it("is free again once expired: it reads as free and is claimed as free", async () => {
        await store.claimLock(key, claim("run-a", undefined, T0, T0 + 1000));
        expect((await store.getLock(key, T0 + 999))?.holder).toBe("run-a");
        expect(await store.getLock(key, T0 + 1000)).toBeUndefined();
        expect(await store.claimLock(key, claim("run-b", undefined, T0 + 1000))).toBe(true);
        expect((await store.getLock(key, T0 + 1000))?.holder).toBe("run-b");
      });

      it("has exactly one winner among concurrent claims of a free lock", async () => {
        const holders = Array.from({ length: 20 }, (_, i) => `run-${i}`);
        const won = await Promise.all(holders.map((h) => store.claimLock(key, claim(h, undefined))));
        expect(won.filter(Boolean)).toHaveLength(1);
        const winner = holders[won.indexOf(true)];
        expect((await store.getLock(key, T0))?.holder).toBe(winner);
      });

      it("has exactly one winner among concurrent takeovers from the same holder", async () => {
        await store.claimLock(key, claim("old", undefined));
        const holders = Array.from({ length: 20 }, (_, i) => `run-${i}`);
        const won = await Promise.all(holders.map((h) => store.claimLock(key, claim(h, "old", T0 + 1))));
        expect(won.filter(Boolean)).toHaveLength(1);
        expect((await store.getLock(key, T0 + 1))?.holder).toBe(holders[won.indexOf(true)]);
      });
    });
  });
}
