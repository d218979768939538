import { beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../shared/adapters/memory/ManualClock.js";
import type { StoredEventRecord } from "../../shared/domain/schemas.js";
import type { EventStore } from "../../shared/ports/index.js";
import { filler, makeAccepted, T0 } from "../fixtures/records.js";

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
  });
}
