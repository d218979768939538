import { randomInt } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../shared/adapters/memory/ManualClock.js";
import type { TimerItem, TimerMessage } from "../../shared/domain/schemas.js";
import type { TimerService } from "../../shared/ports/index.js";
import { makeTimerItem } from "../fixtures/jobs.js";
import { waitFor } from "../helpers/waitFor.js";
import type { TimerProbe } from "./probes.js";

export interface TimerServiceHarness {
  timers: TimerService;
  /** The clock the service reads (AWS: to choose between a queue delay and a schedule). */
  clock: ManualClock;
  probe: TimerProbe;
}

const HOUR = 3_600_000;
const same = (a: TimerMessage) => (b: TimerMessage) => JSON.stringify(a) === JSON.stringify(b);
const runIdOf = (m: TimerMessage) => (m.item.kind === "job" ? m.item.job.runId : undefined);

/**
 * The TimerService port's contract: what is scheduled is kept with its item and due time. Items
 * due now (or already past) and items due hours ahead are read back; those in between sit in an
 * SQS delay on AWS, where no probe can see them before they are due, so they are left out.
 */
export function describeTimerService(name: string, make: () => Promise<TimerServiceHarness>): void {
  describe(`TimerService contract: ${name}`, () => {
    let h: TimerServiceHarness;
    beforeEach(async () => {
      h = await make();
    });

    /** Waits until every expected message has been seen; returns everything seen. */
    async function seen(expected: TimerMessage[]): Promise<TimerMessage[]> {
      let all: TimerMessage[] = [];
      await waitFor(
        async () => {
          all = await h.probe.scheduled();
          return expected.every((m) => all.some(same(m)));
        },
        { timeoutMs: 15_000, intervalMs: 50, what: `${expected.length} timer(s)` },
      );
      return all;
    }

    it("keeps an item due now with its due time", async () => {
      const message = { item: makeTimerItem(), dueAt: h.clock.now() };
      await h.timers.schedule(message.item, message.dueAt);
      await seen([message]);
    });

    it("keeps an item whose due time has already passed with that due time", async () => {
      const message = { item: makeTimerItem(), dueAt: h.clock.now() - 60_000 };
      await h.timers.schedule(message.item, message.dueAt);
      await seen([message]);
    });

    it("keeps an item due hours ahead with its due time", async () => {
      const message = { item: makeTimerItem(), dueAt: h.clock.now() + 3 * HOUR };
      await h.timers.schedule(message.item, message.dueAt);
      await seen([message]);
    });

    it("keeps a sweep item", async () => {
      const item: TimerItem = { kind: "sweep", dueBefore: h.clock.now() - randomInt(HOUR) };
      const message = { item, dueAt: h.clock.now() + 2 * HOUR };
      await h.timers.schedule(item, message.dueAt);
      await seen([message]);
    });

    for (const [when, offset] of [
      ["now", 0],
      ["hours ahead", 2 * HOUR],
    ] as const) {
      it(`delivers the same item for the same time (${when}) twice at least once, every copy that item`, async () => {
        const message = { item: makeTimerItem(), dueAt: h.clock.now() + offset };
        await h.timers.schedule(message.item, message.dueAt);
        await h.timers.schedule(message.item, message.dueAt);
        const all = await seen([message]);
        const copies = all.filter((m) => runIdOf(m) === runIdOf(message));
        expect(copies.length).toBeGreaterThanOrEqual(1);
        for (const copy of copies) expect(copy).toEqual(message);
      });
    }

    it("keeps different items for one time, and one item for different times, apart", async () => {
      const dueAt = h.clock.now() + 2 * HOUR;
      const a = makeTimerItem();
      const b = makeTimerItem();
      const expected = [
        { item: a, dueAt },
        { item: b, dueAt },
        { item: a, dueAt: dueAt + 1000 },
      ];
      for (const m of expected) await h.timers.schedule(m.item, m.dueAt);
      await seen(expected);
    });
  });
}
