import { beforeEach, describe, expect, it } from "vitest";
import { type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../shared/adapters/memory/ManualClock.js";
import {
  batchHandler,
  type ConsumerFactory,
  EVENT_CONSUMERS,
  handleEvents,
  type RunnerDeps,
} from "../../../shared/core/runner/pipeline.js";
import { runIdFor } from "../../../shared/core/runner/startRuns.js";
import type { AcceptedEvent, FunctionRecord, Job } from "../../../shared/domain/schemas.js";
import { makeAccepted, makeApp, makeFunction, T0 } from "../../fixtures/records.js";
import { randomSuffix } from "../../helpers/randomSuffix.js";

const DAY = 24 * 60 * 60 * 1000;

let ports: MemoryPorts<ManualClock>;
let deps: RunnerDeps;
let appId: string;
/** An event name of this test's app. */
let ev: (n: string) => string;

beforeEach(() => {
  ports = memoryPorts(new ManualClock(T0));
  deps = ports;
  appId = `app-${randomSuffix()}`;
  ev = (n) => `${appId}/${n}`;
});

async function sync(fns: FunctionRecord[]): Promise<void> {
  await ports.registry.putAppSync(makeApp(appId, fns), fns);
}

/** The start job of `fn`'s run for `accepted`. */
function startOf(fn: FunctionRecord, accepted: AcceptedEvent): Job {
  const runId = runIdFor(fn.slug, accepted);
  return { runId, fnSlug: fn.slug, stepId: "step", attempt: 0, version: 0, partition: runId };
}

describe("a runner batch", () => {
  it("sends each start job as its run is created, and stores the events at flush, not before", async () => {
    const fn = makeFunction(appId, "fn", [ev("go")]);
    await sync([fn]);
    const events = [1, 2, 3].map((n) => makeAccepted({ name: ev("go"), data: { n } }));
    const handler = batchHandler(deps);
    for (const accepted of events) await handler.handle(accepted);

    expect(ports.work.peek().map((m) => m.job)).toEqual(events.map((e) => startOf(fn, e)));
    expect(await ports.events.getEvent(events[0]?.internalId ?? "")).toBeUndefined();

    await handler.flush();
    for (const accepted of events) {
      expect((await ports.events.getEvent(accepted.internalId))?.runIds).toEqual([
        runIdFor(fn.slug, accepted),
      ]);
    }
  });

  it("stores what it handled before a record that failed, and not that record", async () => {
    const fn = makeFunction(appId, "fn", [ev("go")]);
    await sync([fn]);
    const [ok, bad] = [makeAccepted({ name: ev("go") }), makeAccepted({ name: ev("go") })];
    const failing: ConsumerFactory = () => ({
      name: "fails on the second",
      async consume(accepted) {
        if (accepted.internalId === bad.internalId) throw new Error("boom");
        return {};
      },
    });
    const handler = batchHandler(deps, [...EVENT_CONSUMERS, failing]);
    await handler.handle(ok);
    await expect(handler.handle(bad)).rejects.toThrow("boom");
    await handler.flush();

    expect(await ports.events.getEvent(ok.internalId)).toBeDefined();
    expect(await ports.events.getEvent(bad.internalId)).toBeUndefined();
    // The failed record's run was created before the failure: its start job goes out too (the
    // retry finds the run and sends it again under the same deduplication id).
    expect(ports.work.peek().map((m) => m.job)).toEqual([startOf(fn, ok), startOf(fn, bad)]);
  });
});

describe("the runner", () => {
  it("starts one run per matching function: exact and wildcard triggers, and an `if` that holds", async () => {
    const exact = makeFunction(appId, "exact", [ev("order.created")]);
    const slash = makeFunction(appId, "slash", [`${appId}/*`]);
    const dot = makeFunction(appId, "dot", [ev("order.*")]);
    const ifHolds = makeFunction(appId, "if-holds", [], {
      triggers: [{ event: ev("order.created"), expression: "event.data.total > 10" }],
    });
    const ifFails = makeFunction(appId, "if-fails", [], {
      triggers: [{ event: ev("order.created"), expression: "event.data.total > 1000" }],
    });
    const other = makeFunction(appId, "other", [ev("order.deleted")]);
    await sync([exact, slash, dot, ifHolds, ifFails, other]);
    const accepted = makeAccepted({ name: ev("order.created"), data: { total: 50 } });

    await handleEvents(deps, [accepted]);

    const started = [exact, slash, dot, ifHolds];
    const runs = await ports.runs.listRunsForEvent(accepted.internalId);
    expect(runs.map((r) => r.fnSlug).sort()).toEqual(started.map((f) => f.slug).sort());
    for (const fn of started) {
      const run = runs.find((r) => r.fnSlug === fn.slug);
      expect(run).toMatchObject({
        runId: runIdFor(fn.slug, accepted),
        appId,
        status: "Running",
        version: 0,
        eventId: accepted.internalId,
        events: [accepted.event],
        startedAt: T0,
        next: [{ job: startOf(fn, accepted) }],
      });
    }
    const sent = ports.work.drain().map((q) => q.job);
    expect(sent).toHaveLength(started.length);
    expect(sent).toEqual(expect.arrayContaining(started.map((fn) => startOf(fn, accepted))));
    const stored = await ports.events.getEvent(accepted.internalId);
    expect(stored?.runIds.sort()).toEqual(runs.map((r) => r.runId).sort());
    expect(stored).toMatchObject({ internalId: accepted.internalId, event: accepted.event });
  });

  it("stores an event that matches nothing with no runs, and dispatches nothing", async () => {
    await sync([makeFunction(appId, "fn", [ev("wanted")])]);
    const accepted = makeAccepted({ name: ev("unwanted") });

    await handleEvents(deps, [accepted]);

    expect(await ports.events.getEvent(accepted.internalId)).toEqual({ ...accepted, runIds: [] });
    expect(await ports.runs.listRunsForEvent(accepted.internalId)).toEqual([]);
    expect(ports.work.sent()).toEqual([]);
    expect(ports.timers.pending()).toEqual([]);
  });

  it("starts one run when the stream delivers the same record twice, and sends its start job again", async () => {
    const fn = makeFunction(appId, "fn", [ev("e")]);
    await sync([fn]);
    const accepted = makeAccepted({ name: ev("e") });

    await handleEvents(deps, [accepted]);
    await handleEvents(deps, [accepted]);

    const runs = await ports.runs.listRunsForEvent(accepted.internalId);
    expect(runs.map((r) => r.runId)).toEqual([runIdFor(fn.slug, accepted)]);
    expect((await ports.events.getEvent(accepted.internalId))?.runIds).toEqual([runIdFor(fn.slug, accepted)]);
    // The start job may have been lost with the first attempt; the same dedup id makes the copy harmless.
    expect(ports.work.sent()).toEqual([startOf(fn, accepted), startOf(fn, accepted)]);
    expect(ports.work.drain()).toHaveLength(1);
  });

  it("starts no run for a second event with the same event id, and stores it with no runs", async () => {
    const fn = makeFunction(appId, "fn", [ev("e")]);
    await sync([fn]);
    const id = `order-${randomSuffix()}`;
    const first = makeAccepted({ name: ev("e"), id });
    const second = makeAccepted({ name: ev("e"), id });

    await handleEvents(deps, [first, second]);

    expect(await ports.runs.listRunsForEvent(first.internalId)).toHaveLength(1);
    expect(await ports.runs.listRunsForEvent(second.internalId)).toEqual([]);
    expect((await ports.events.getEvent(second.internalId))?.runIds).toEqual([]);
    expect(ports.work.sent()).toEqual([startOf(fn, first)]);
  });

  it("starts a run again for a reused event id once the day-long idempotency window has passed", async () => {
    const fn = makeFunction(appId, "fn", [ev("e")]);
    await sync([fn]);
    const id = `order-${randomSuffix()}`;
    await handleEvents(deps, [makeAccepted({ name: ev("e"), id })]);

    ports.clock.advance(DAY);
    const withinDay = makeAccepted({ name: ev("e"), id }, ports.clock.now());
    await handleEvents(deps, [withinDay]);
    expect(await ports.runs.listRunsForEvent(withinDay.internalId)).toEqual([]);

    ports.clock.advance(1000);
    const afterDay = makeAccepted({ name: ev("e"), id }, ports.clock.now());
    await handleEvents(deps, [afterDay]);
    expect(await ports.runs.listRunsForEvent(afterDay.internalId)).toHaveLength(1);
  });

  it("delays the start job of an event whose ts lies in the future until that time", async () => {
    const fn = makeFunction(appId, "fn", [ev("e")]);
    await sync([fn]);
    const ts = T0 + 3_600_000;
    const accepted = makeAccepted({ name: ev("e"), ts });

    await handleEvents(deps, [accepted]);

    const job = startOf(fn, accepted);
    expect(ports.timers.pending()).toEqual([{ item: { kind: "job", job }, dueAt: ts }]);
    expect(ports.work.sent()).toEqual([]);
    expect(await ports.runs.getRun(job.runId)).toMatchObject({ next: [{ job, dueAt: ts }] });
  });

  it("starts at once for an event whose ts lies in the past", async () => {
    const fn = makeFunction(appId, "fn", [ev("e")]);
    await sync([fn]);
    const accepted = makeAccepted({ name: ev("e"), ts: T0 - 3_600_000 });

    await handleEvents(deps, [accepted]);

    expect(ports.work.sent()).toEqual([startOf(fn, accepted)]);
    expect(ports.timers.pending()).toEqual([]);
  });
});
