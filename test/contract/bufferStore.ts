import { beforeEach, describe, expect, it } from "vitest";
import type {
  BatchAppend,
  BatchStart,
  BufferedEvent,
  BufferRef,
  BufferStore,
  DebounceBuffer,
} from "../../shared/ports/index.js";
import { filler, makeAccepted, T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";

export interface BufferStoreHarness {
  store: BufferStore;
}

const MINUTE = 60_000;
/** Above the Dynamo store's inline limit (64 KiB): a debounced event may be 512 KiB. */
const LARGE = 200 * 1024;

function entry(data: Record<string, string | number> = {}): BufferedEvent {
  const { internalId, event } = makeAccepted({ name: "app/buffered", data });
  return { internalId, event };
}

const START: Omit<BatchStart, "cycle"> = { createdAt: T0, flushAt: T0 + MINUTE, expiresAt: T0 + 60 * MINUTE };

function appendOf(e: BufferedEvent, over: Partial<BatchAppend> = {}): BatchAppend {
  return { entry: e, bytes: 100, now: T0 + 1, maxSize: 100, maxBytes: 100_000, ...over };
}

/**
 * The BufferStore port's contract: batch appends (idempotent, bounded, atomic under concurrency,
 * never lost to a seal), debounce writes conditional on their version, and event claims. Every
 * test uses its own function slug, so a store shared with other tests answers the same.
 */
export function describeBufferStore(name: string, make: () => Promise<BufferStoreHarness>): void {
  describe(`BufferStore contract: ${name}`, () => {
    let store: BufferStore;
    let ref: BufferRef;
    beforeEach(async () => {
      ({ store } = await make());
      ref = { fnSlug: `app-${randomSuffix()}-fn`, key: randomSuffix(22) };
    });

    describe("batches", () => {
      it("starts a buffer once, appends in arrival order, and reads it back", async () => {
        const [a, b, c] = [entry({ n: 1 }), entry({ n: 2 }), entry({ n: 3 })] as const;
        expect(await store.appendBatch(ref, appendOf(a))).toEqual({ result: "absent" });
        expect(await store.startBatch(ref, a, 10, { cycle: "c1", ...START })).toBe(true);
        expect(await store.startBatch(ref, b, 10, { cycle: "c2", ...START })).toBe(false);
        expect(await store.appendBatch(ref, appendOf(b, { bytes: 20 }))).toMatchObject({
          result: "appended",
        });
        const third = await store.appendBatch(ref, appendOf(c, { bytes: 30 }));
        const state = {
          ...ref,
          cycle: "c1",
          sealed: false,
          createdAt: START.createdAt,
          flushAt: START.flushAt,
          size: 3,
          bytes: 60,
        };
        // An append reports the state; a read gives the events too.
        expect(third).toEqual({ result: "appended", buffer: state });
        expect(await store.getBatch(ref)).toEqual({ ...state, events: [a, b, c] });
        expect(await store.getBatch({ ...ref, key: "other" })).toBeUndefined();
      });

      it("keeps an event once: appending it again reports it present", async () => {
        const [a, b] = [entry(), entry()];
        await store.startBatch(ref, a, 10, { cycle: "c1", ...START });
        await store.appendBatch(ref, appendOf(b));
        for (const e of [a, b]) {
          const again = await store.appendBatch(ref, appendOf(e));
          expect(again.result).toBe("present");
        }
        expect((await store.getBatch(ref))?.events).toEqual([a, b]);
      });

      it("is closed when full, when the bytes would pass the cap, when due, and once sealed", async () => {
        const first = entry();
        await store.startBatch(ref, first, 60, { cycle: "c1", ...START });
        const closedBy = async (over: Partial<BatchAppend>) =>
          (await store.appendBatch(ref, appendOf(entry(), over))).result;
        expect(await closedBy({ maxSize: 1 })).toBe("closed");
        expect(await closedBy({ bytes: 41, maxBytes: 100 })).toBe("closed");
        expect(await closedBy({ now: START.flushAt })).toBe("closed");
        expect(await closedBy({ bytes: 40, maxBytes: 100 })).toBe("appended");
        const sealed = await store.sealBatch(ref, "c1");
        expect(sealed?.sealed).toBe(true);
        expect(sealed?.events).toHaveLength(2);
        expect(sealed?.size).toBe(2);
        const after = await store.appendBatch(ref, appendOf(entry()));
        expect(after).toMatchObject({ result: "closed", buffer: { sealed: true } });
        expect((await store.getBatch(ref))?.events).toHaveLength(2);
      });

      it("seals and deletes only the cycle named", async () => {
        await store.startBatch(ref, entry(), 10, { cycle: "c1", ...START });
        expect(await store.sealBatch(ref, "c0")).toBeUndefined();
        expect((await store.getBatch(ref))?.sealed).toBe(false);
        await store.deleteBatch(ref, "c0");
        expect(await store.getBatch(ref)).toBeDefined();
        expect((await store.sealBatch(ref, "c1"))?.sealed).toBe(true);
        expect((await store.sealBatch(ref, "c1"))?.sealed).toBe(true);
        await store.deleteBatch(ref, "c1");
        expect(await store.getBatch(ref)).toBeUndefined();
        expect(await store.sealBatch(ref, "c1")).toBeUndefined();
        expect(await store.startBatch(ref, entry(), 10, { cycle: "c2", ...START })).toBe(true);
      });

      it("loses nothing to 50 concurrent appends", async () => {
        const first = entry();
        await store.startBatch(ref, first, 10, { cycle: "c1", ...START });
        const rest = Array.from({ length: 50 }, (_, n) => entry({ n }));
        const results = await Promise.all(rest.map((e) => store.appendBatch(ref, appendOf(e))));
        expect(results.every((r) => r.result === "appended")).toBe(true);
        const stored = await store.getBatch(ref);
        expect(stored?.events).toHaveLength(51);
        expect(new Set(stored?.events.map((e) => e.internalId))).toEqual(
          new Set([first, ...rest].map((e) => e.internalId)),
        );
        expect(stored?.bytes).toBe(10 + 50 * 100);
        // Each append saw the buffer with itself in it, one more event each time.
        const sizes = results.map((r) => (r.result === "appended" ? r.buffer.size : 0));
        expect(new Set(sizes).size).toBe(50);
      });

      it("takes exactly maxSize events when more arrive at once", async () => {
        await store.startBatch(ref, entry(), 10, { cycle: "c1", ...START });
        const rest = Array.from({ length: 20 }, (_, n) => entry({ n }));
        const results = await Promise.all(
          rest.map((e) => store.appendBatch(ref, appendOf(e, { maxSize: 8 }))),
        );
        expect(results.filter((r) => r.result === "appended")).toHaveLength(7);
        expect(results.filter((r) => r.result === "closed")).toHaveLength(13);
        expect((await store.getBatch(ref))?.events).toHaveLength(8);
      });

      it("races a seal with appends: every append reported appended is in the sealed buffer, no other", async () => {
        const first = entry();
        await store.startBatch(ref, first, 10, { cycle: "c1", ...START });
        const rest = Array.from({ length: 30 }, (_, n) => entry({ n }));
        const appends = rest.map((e, i) =>
          i === 10
            ? store.sealBatch(ref, "c1").then(() => undefined)
            : store.appendBatch(ref, appendOf(e)).then((r) => ({ id: e.internalId, result: r.result })),
        );
        const results = (await Promise.all(appends)).filter((r) => r !== undefined);
        const sealed = await store.getBatch(ref);
        expect(sealed?.sealed).toBe(true);
        const inBuffer = new Set(sealed?.events.map((e) => e.internalId));
        for (const r of results) {
          expect(["appended", "closed"]).toContain(r.result);
          expect(inBuffer.has(r.id)).toBe(r.result === "appended");
        }
        expect(inBuffer.has(first.internalId)).toBe(true);
        expect(inBuffer.size).toBe(1 + results.filter((r) => r.result === "appended").length);
      });
    });

    describe("debounces", () => {
      function debounce(over: Partial<DebounceBuffer> = {}): DebounceBuffer {
        return {
          ...ref,
          cycle: "c1",
          version: 0,
          sealed: false,
          firstAt: T0,
          fireAt: T0 + MINUTE,
          latest: entry({ n: 1 }),
          ...over,
        };
      }

      it("creates once, then writes only over the version and cycle it read", async () => {
        const first = debounce();
        expect(await store.putDebounce(first, undefined, T0 + 60 * MINUTE)).toBe(true);
        expect(await store.putDebounce(debounce({ cycle: "c2" }), undefined, T0 + 60 * MINUTE)).toBe(false);
        expect(await store.getDebounce(ref)).toEqual(first);

        const second = debounce({ version: 1, fireAt: T0 + 2 * MINUTE, latest: entry({ n: 2 }) });
        expect(await store.putDebounce(second, { cycle: "c1", version: 0 }, T0 + 60 * MINUTE)).toBe(true);
        expect(await store.putDebounce(debounce({ version: 1 }), { cycle: "c1", version: 0 }, T0)).toBe(
          false,
        );
        expect(await store.putDebounce(debounce({ version: 2 }), { cycle: "c0", version: 1 }, T0)).toBe(
          false,
        );
        expect(await store.getDebounce(ref)).toEqual(second);

        const sealed = { ...second, version: 2, sealed: true };
        expect(await store.putDebounce(sealed, { cycle: "c1", version: 1 }, T0 + 60 * MINUTE)).toBe(true);
        expect(await store.getDebounce(ref)).toEqual(sealed);
      });

      it("keeps a large event whole", async () => {
        const big = debounce({ latest: entry({ blob: filler(LARGE) }) });
        expect(await store.putDebounce(big, undefined, T0 + 60 * MINUTE)).toBe(true);
        expect(await store.getDebounce(ref)).toEqual(big);
      });

      it("lets exactly one of concurrent writers over the same version win", async () => {
        await store.putDebounce(debounce(), undefined, T0 + 60 * MINUTE);
        const writes = Array.from({ length: 20 }, (_, n) =>
          store.putDebounce(
            debounce({ version: 1, latest: entry({ n }) }),
            { cycle: "c1", version: 0 },
            T0 + 60 * MINUTE,
          ),
        );
        expect((await Promise.all(writes)).filter(Boolean)).toHaveLength(1);
        const creates = Array.from({ length: 10 }, (_, n) =>
          store.putDebounce(debounce({ key: `${ref.key}-new`, cycle: `n${n}` }), undefined, T0 + 60 * MINUTE),
        );
        expect((await Promise.all(creates)).filter(Boolean)).toHaveLength(1);
      });

      it("deletes only the cycle named", async () => {
        await store.putDebounce(debounce(), undefined, T0 + 60 * MINUTE);
        await store.deleteDebounce(ref, "c0");
        expect(await store.getDebounce(ref)).toBeDefined();
        await store.deleteDebounce(ref, "c1");
        expect(await store.getDebounce(ref)).toBeUndefined();
      });
    });

    describe("claims", () => {
      const window = { now: T0, expiresAt: T0 + MINUTE };

      it("gives an event to the first cycle that claims it, again to that cycle, never to another", async () => {
        const [a, b] = [entry().internalId, entry().internalId];
        expect(await store.claimOf(ref.fnSlug, a, T0)).toBeUndefined();
        expect(await store.claimEvents(ref.fnSlug, "c1", [a], window)).toEqual(new Set());
        expect(await store.claimEvents(ref.fnSlug, "c1", [a, b], window)).toEqual(new Set());
        expect(await store.claimEvents(ref.fnSlug, "c2", [a, b], window)).toEqual(new Set([a, b]));
        expect(await store.claimOf(ref.fnSlug, a, T0)).toBe("c1");
        // Per function: another function's cycle may take the same event.
        expect(await store.claimEvents(`${ref.fnSlug}-other`, "c2", [a], window)).toEqual(new Set());
      });

      it("frees a claim past its expiry", async () => {
        const a = entry().internalId;
        await store.claimEvents(ref.fnSlug, "c1", [a], window);
        const later = T0 + 2 * MINUTE;
        expect(await store.claimOf(ref.fnSlug, a, later)).toBeUndefined();
        expect(
          await store.claimEvents(ref.fnSlug, "c2", [a], { now: later, expiresAt: later + MINUTE }),
        ).toEqual(new Set());
        expect(await store.claimOf(ref.fnSlug, a, later)).toBe("c2");
      });

      it("holds a claim until its expiry, and frees it a millisecond after", async () => {
        const a = entry().internalId;
        await store.claimEvents(ref.fnSlug, "c1", [a], window);
        const edge = window.expiresAt;
        expect(await store.claimOf(ref.fnSlug, a, edge)).toBe("c1");
        const next = (now: number) => ({ now, expiresAt: now + MINUTE });
        expect(await store.claimEvents(ref.fnSlug, "c2", [a], next(edge))).toEqual(new Set([a]));
        expect(await store.claimOf(ref.fnSlug, a, edge + 1)).toBeUndefined();
        expect(await store.claimEvents(ref.fnSlug, "c2", [a], next(edge + 1))).toEqual(new Set());
      });

      it("gives a contested event to exactly one cycle", async () => {
        const ids = Array.from({ length: 10 }, () => entry().internalId);
        const cycles = ["c1", "c2", "c3", "c4", "c5"];
        const taken = await Promise.all(cycles.map((c) => store.claimEvents(ref.fnSlug, c, ids, window)));
        for (const id of ids) {
          expect(taken.filter((t) => !t.has(id))).toHaveLength(1);
        }
      });
    });
  });
}
