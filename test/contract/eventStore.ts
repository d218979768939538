import { beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../shared/adapters/memory/ManualClock.js";
import type { StoredEventRecord } from "../../shared/domain/schemas.js";
import type { EventQuery, EventStore } from "../../shared/ports/index.js";
import { filler, makeAccepted, T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";
import { allPages } from "./pages.js";

export interface EventStoreHarness {
  store: EventStore;
  /** The clock the store reads to decide what is past its retention. */
  clock: ManualClock;
  retentionSeconds: number;
}

/** The EventStore port's contract. */
export function describeEventStore(name: string, make: () => Promise<EventStoreHarness>): void {
  describe(`EventStore contract: ${name}`, () => {
    let h: EventStoreHarness;
    beforeEach(async () => {
      h = await make();
      h.clock.set(T0);
    });

    const record = (runIds: string[] = []): StoredEventRecord => ({ ...makeAccepted({}, T0), runIds });

    it("reads back a stored event whole, with the runs it started", async () => {
      const stored = record(["r1", "r2"]);
      await h.store.putEvent(stored);
      expect(await h.store.getEvent(stored.internalId)).toEqual(stored);
    });

    it("returns nothing for an unknown event", async () => {
      expect(await h.store.getEvent(record().internalId)).toBeUndefined();
    });

    it("keeps one record when the same event is stored twice, with the later run ids", async () => {
      const first = record([]);
      await h.store.putEvent(first);
      await h.store.putEvent({ ...first, runIds: ["r1"] });
      expect(await h.store.getEvent(first.internalId)).toEqual({ ...first, runIds: ["r1"] });
    });

    it("stores a batch of more than 25 at once, the later of one id named twice winning", async () => {
      const batch = Array.from({ length: 26 }, () => record([]));
      const first = batch[0] as StoredEventRecord;
      await h.store.putEvents([...batch, { ...first, runIds: ["later"] }]);
      for (const r of batch.slice(1)) expect(await h.store.getEvent(r.internalId)).toEqual(r);
      expect(await h.store.getEvent(first.internalId)).toEqual({ ...first, runIds: ["later"] });
    });

    it("round-trips an event payload larger than a DynamoDB item (400 KB)", async () => {
      const big = { ...makeAccepted({ data: { big: filler(450 * 1024) } }, T0), runIds: [] };
      await h.store.putEvent(big);
      expect(await h.store.getEvent(big.internalId)).toEqual(big);
    });

    it("returns an event up to the end of its retention and nothing one millisecond after", async () => {
      const stored = record();
      await h.store.putEvent(stored);
      const end = T0 + h.retentionSeconds * 1000;
      h.clock.set(end);
      expect(await h.store.getEvent(stored.internalId)).toEqual(stored);
      h.clock.set(end + 1);
      expect(await h.store.getEvent(stored.internalId)).toBeUndefined();
    });

    it("keeps its own copy: changing the record passed in or read back changes nothing stored", async () => {
      const stored = record(["r1"]);
      const original = structuredClone(stored);
      await h.store.putEvent(stored);
      stored.runIds.push("mutated");
      stored.event.data.changed = true;
      const read = await h.store.getEvent(stored.internalId);
      read?.runIds.push("mutated");
      expect(await h.store.getEvent(stored.internalId)).toEqual(original);
    });

    describe("listEvents", () => {
      /** Every event the listing returns for `names`, following cursors; fails on a repeat. */
      function listAll(q: Omit<EventQuery, "names"> & { names: string[] }, limit: number) {
        return allPages(
          async (cursor) => {
            const { events, cursor: next } = await h.store.listEvents(q, {
              limit,
              ...(cursor ? { cursor } : {}),
            });
            return { items: events, ...(next ? { cursor: next } : {}) };
          },
          limit,
          (e) => e.internalId,
        );
      }

      const named = (name: string, receivedAt: number): StoredEventRecord => ({
        ...makeAccepted({ name }, receivedAt),
        runIds: [],
      });

      it("lists events of the window newest first, every one exactly once across pages", async () => {
        const name = `app/listed-${randomSuffix()}`;
        // Spread over two UTC days, with a tie on the receive time.
        const times = [T0 - 3_600_000, T0 - 1000, T0, T0, T0 + 5000, T0 + 7_200_000];
        const stored = times.map((t) => named(name, t));
        for (const e of stored) await h.store.putEvent(e);
        const q = { from: T0 - 4_000_000, until: T0 + 8_000_000, names: [name] };
        const listed = await listAll(q, 2);
        expect(listed.map((e) => e.internalId).sort()).toEqual(stored.map((e) => e.internalId).sort());
        const received = listed.map((e) => e.receivedAt);
        expect(received).toEqual([...received].sort((a, b) => b - a));
        expect(listed.find((e) => e.internalId === stored[0]?.internalId)).toEqual(stored[0]);
      });

      it("leaves out events outside the window and events of other names", async () => {
        const name = `app/window-${randomSuffix()}`;
        const inside = named(name, T0);
        await h.store.putEvent(inside);
        await h.store.putEvent(named(name, T0 - 10_000));
        await h.store.putEvent(named(name, T0 + 10_000));
        await h.store.putEvent(named(`${name}-other`, T0));
        const listed = await listAll({ from: T0 - 1, until: T0 + 1, names: [name] }, 10);
        expect(listed.map((e) => e.internalId)).toEqual([inside.internalId]);
      });

      it("leaves out inngest/ events unless asked to include them", async () => {
        const suffix = randomSuffix();
        const internal = named(`inngest/function.finished-${suffix}`, T0);
        await h.store.putEvent(internal);
        const q = { from: T0 - 1, until: T0 + 1, names: [internal.event.name] };
        expect(await listAll(q, 10)).toEqual([]);
        expect((await listAll({ ...q, includeInternal: true }, 10)).map((e) => e.internalId)).toEqual([
          internal.internalId,
        ]);
      });

      it("refuses more than 100 event names with a 400, and takes exactly 100", async () => {
        const names = (n: number) => Array.from({ length: n }, (_, i) => `app/none-${i}`);
        const q = { from: T0 - 1, until: T0 + 1 };
        expect((await h.store.listEvents({ ...q, names: names(100) }, { limit: 10 })).events).toEqual([]);
        await expect(h.store.listEvents({ ...q, names: names(101) }, { limit: 10 })).rejects.toMatchObject({
          status: 400,
        });
      });

      it("lists an event up to the end of its retention and leaves it out one millisecond after", async () => {
        const name = `app/expiring-${randomSuffix()}`;
        const stored = named(name, T0);
        await h.store.putEvent(stored);
        const q = { from: T0 - 1, until: T0 + 1, names: [name] };
        h.clock.set(T0 + h.retentionSeconds * 1000);
        expect((await listAll(q, 10)).map((e) => e.internalId)).toEqual([stored.internalId]);
        h.clock.set(T0 + h.retentionSeconds * 1000 + 1);
        expect(await listAll(q, 10)).toEqual([]);
      });
    });
  });
}
