import { beforeEach, describe, expect, it } from "vitest";
import type { AcceptedEvent } from "../../shared/domain/schemas.js";
import type { EventStream } from "../../shared/ports/index.js";
import { filler, makeAccepted } from "../fixtures/records.js";
import { waitFor } from "../helpers/waitFor.js";
import type { EventStreamProbe } from "./probes.js";

export interface EventStreamHarness {
  stream: EventStream;
  probe: EventStreamProbe;
}

/** The EventStream port's contract: every event put is on the stream once, whole. */
export function describeEventStream(name: string, make: () => Promise<EventStreamHarness>): void {
  describe(`EventStream contract: ${name}`, () => {
    let h: EventStreamHarness;
    beforeEach(async () => {
      h = await make();
    });

    /** Waits until every event put is readable; returns the records of those events. */
    async function readBack(events: AcceptedEvent[]): Promise<AcceptedEvent[]> {
      const ids = new Set(events.map((e) => e.internalId));
      let mine: AcceptedEvent[] = [];
      await waitFor(
        async () => {
          mine = (await h.probe.read()).filter((e) => ids.has(e.internalId));
          return new Set(mine.map((e) => e.internalId)).size === ids.size;
        },
        { timeoutMs: 15_000, intervalMs: 100, what: `${ids.size} event(s) on the stream` },
      );
      return mine;
    }

    function expectEachOnce(read: AcceptedEvent[], events: AcceptedEvent[]): void {
      expect(read).toHaveLength(events.length);
      const byId = new Map(read.map((e) => [e.internalId, e]));
      for (const e of events) expect(byId.get(e.internalId)).toEqual(e);
    }

    it("puts events that a reader gets back whole, each once", async () => {
      const events = [makeAccepted({ data: { n: 1 } }), makeAccepted({ data: { n: 2 } }), makeAccepted()];
      await h.stream.put(events);
      expectEachOnce(await readBack(events), events);
    });

    it("puts more events than one request carries", async () => {
      const events = Array.from({ length: 501 }, (_, i) => makeAccepted({ data: { i } }));
      await h.stream.put(events);
      expectEachOnce(await readBack(events), events);
    });

    it("puts an event larger than 64 KiB whole", async () => {
      const events = [makeAccepted({ data: { big: filler(200 * 1024) } })];
      await h.stream.put(events);
      expectEachOnce(await readBack(events), events);
    });

    it("accepts an empty list", async () => {
      await expect(h.stream.put([])).resolves.toBeUndefined();
    });
  });
}
