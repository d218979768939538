import { monotonicFactory } from "ulid";
import { beforeEach, describe, expect, it } from "vitest";
import type { CancellationRecord, CancellationStore } from "../../shared/ports/index.js";
import { T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";
import { allPages } from "./pages.js";

export interface CancellationStoreHarness {
  store: CancellationStore;
}

const newId = monotonicFactory();

/**
 * The CancellationStore port's contract. Every test makes its own records (fresh ULIDs, a random
 * app) and reads back only those, so a store shared with other tests answers the same.
 */
export function describeCancellationStore(name: string, make: () => Promise<CancellationStoreHarness>): void {
  describe(`CancellationStore contract: ${name}`, () => {
    let store: CancellationStore;
    let appId: string;
    beforeEach(async () => {
      ({ store } = await make());
      appId = `app-${randomSuffix()}`;
    });

    function record(over: Partial<CancellationRecord> = {}): CancellationRecord {
      return {
        id: newId(),
        appId,
        fnSlug: `${appId}-fn`,
        fnInternalId: "00000000-0000-4000-a000-000000000000",
        startedAfter: T0,
        startedBefore: T0 + 60_000,
        if: "event.data.x == 1",
        createdAt: T0 + 1,
        ...over,
      };
    }

    it("stores and reads back a record, with and without its optional fields", async () => {
      const full = record();
      const { startedAfter: _a, if: _i, ...bare } = record();
      await store.put(full);
      await store.put(bare);
      expect(await store.get(full.id)).toEqual(full);
      expect(await store.get(bare.id)).toEqual(bare);
      expect(await store.get(newId())).toBeUndefined();
    });

    it("replaces a record put again with the same id", async () => {
      const first = record();
      await store.put(first);
      await store.put({ ...first, startedBefore: T0 + 5 });
      expect(await store.get(first.id)).toEqual({ ...first, startedBefore: T0 + 5 });
    });

    it("deletes a record, telling whether there was one", async () => {
      const r = record();
      await store.put(r);
      expect(await store.delete(r.id)).toBe(true);
      expect(await store.get(r.id)).toBeUndefined();
      expect(await store.delete(r.id)).toBe(false);
    });

    it("lists newest first (by id), a page at a time, every record once", async () => {
      const mine = Array.from({ length: 7 }, () => record());
      for (const r of mine) await store.put(r);
      const listed = await allPages(
        async (cursor) => {
          const page = await store.list({ limit: 3, ...(cursor ? { cursor } : {}) });
          return { items: page.cancellations, ...(page.cursor ? { cursor: page.cursor } : {}) };
        },
        3,
        (c) => c.id,
      );
      const ids = listed.filter((c) => c.appId === appId).map((c) => c.id);
      expect(ids).toEqual(mine.map((r) => r.id).reverse());
      const all = listed.map((c) => c.id);
      expect(all).toEqual([...all].sort().reverse());
      expect(listed.filter((c) => c.appId === appId)).toEqual([...mine].reverse());
    });

    it("leaves deleted records out of the listing", async () => {
      const [kept, gone] = [record(), record()];
      await store.put(kept);
      await store.put(gone);
      await store.delete(gone.id);
      const listed = await allPages(
        async (cursor) => {
          const page = await store.list({ limit: 100, ...(cursor ? { cursor } : {}) });
          return { items: page.cancellations, ...(page.cursor ? { cursor: page.cursor } : {}) };
        },
        100,
        (c) => c.id,
      );
      expect(listed.filter((c) => c.appId === appId)).toEqual([kept]);
    });
  });
}
