/**
 * Bulk cancellations over the memory ports: the timer cancels a page of the runs that exist (and
 * schedules the next page), and the runner cancels runs created later inside the window.
 */
import { monotonicFactory } from "ulid";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { handleEvents } from "../../../../shared/core/runner/pipeline.js";
import { runIdFor } from "../../../../shared/core/runner/startRuns.js";
import { BULK_CANCEL_PAGE, bulkCancelPage, covers } from "../../../../shared/core/runs/bulkCancel.js";
import { deliverTimer } from "../../../../shared/core/scheduling/timerKinds.js";
import type { FunctionRecord, RunRecord } from "../../../../shared/domain/schemas.js";
import type { CancellationRecord } from "../../../../shared/ports/index.js";
import { INTERNAL_EVENTS } from "../../../../shared/protocol/constants.js";
import { makeAccepted, makeApp, makeEvent, makeFunction, makeRun, T0 } from "../../../fixtures/records.js";

const MIN = 60_000;
const newId = monotonicFactory();

let ports: MemoryPorts<ManualClock>;
let fn: FunctionRecord;
let other: FunctionRecord;

beforeEach(async () => {
  ports = memoryPorts();
  ports.clock.set(T0 + 60 * MIN);
  fn = makeFunction("app", "fn", ["test/event"]);
  other = makeFunction("app", "other", ["test/event"]);
  await ports.registry.putAppSync(makeApp("app", [fn, other]), [fn, other]);
});

async function run(startedAt: number, over: Partial<RunRecord> = {}): Promise<RunRecord> {
  const r = makeRun({ runId: newId(startedAt), startedAt, fnSlug: fn.slug, ...over });
  await ports.runs.createRun(r);
  return r;
}

async function cancellation(over: Partial<CancellationRecord> = {}): Promise<CancellationRecord> {
  const c: CancellationRecord = {
    id: newId(ports.clock.now()),
    appId: "app",
    fnSlug: fn.slug,
    fnInternalId: fn.internalId,
    startedAfter: T0,
    startedBefore: T0 + 30 * MIN,
    createdAt: ports.clock.now(),
    ...over,
  };
  await ports.cancellations.put(c);
  return c;
}

const statusOf = async (r: RunRecord) => (await ports.runs.getRun(r.runId))?.status;

describe("a bulk cancellation's timer", () => {
  it("cancels the function's Running runs started in the window, and nothing else", async () => {
    const inside = [await run(T0), await run(T0 + 10 * MIN), await run(T0 + 30 * MIN)];
    const before = await run(T0 - 1);
    const after = await run(T0 + 30 * MIN + 1);
    const otherFn = await run(T0 + MIN, { fnSlug: other.slug });
    const done = await run(T0 + MIN, { status: "Completed", endedAt: T0 + 2 * MIN });
    const c = await cancellation();

    const page = await bulkCancelPage(ports, c.id);

    expect(page).toEqual({ status: "page", cancelled: inside.map((r) => r.runId) });
    for (const r of inside) {
      expect(await ports.runs.getRun(r.runId)).toMatchObject({
        status: "Cancelled",
        cancelledBy: `cancellation ${c.id}`,
      });
    }
    for (const r of [before, after, otherFn]) expect(await statusOf(r)).toBe("Running");
    expect(await statusOf(done)).toBe("Completed");
    const cancelledEvents = ports.stream
      .events()
      .filter((e) => e.event.name === INTERNAL_EVENTS.functionCancelled);
    expect(cancelledEvents).toHaveLength(inside.length);
    expect(ports.timers.pending()).toEqual([]);
  });

  it("cancels only runs whose triggering event matches `if`", async () => {
    const big = await run(T0 + MIN, { events: [makeEvent({ data: { total: 500 } })] });
    const small = await run(T0 + 2 * MIN, { events: [makeEvent({ data: { total: 5 } })] });
    const none = await run(T0 + 3 * MIN, { events: [makeEvent({ data: {} })] });
    const c = await cancellation({ if: "event.data.total > 100" });

    expect(await bulkCancelPage(ports, c.id)).toEqual({ status: "page", cancelled: [big.runId] });
    expect(await statusOf(small)).toBe("Running");
    expect(await statusOf(none)).toBe("Running");
  });

  it("without started_after covers every run since the app was synced", async () => {
    const early = await run(T0);
    const c = await cancellation({ startedAfter: undefined });
    const { startedAfter: _dropped, ...open } = c;
    await ports.cancellations.put(open);
    expect(await bulkCancelPage(ports, c.id)).toEqual({ status: "page", cancelled: [early.runId] });
  });

  it("works a page at a time: each page schedules the next with its cursor", async () => {
    const runs: RunRecord[] = [];
    for (let i = 0; i < BULK_CANCEL_PAGE + 5; i++) runs.push(await run(T0 + i * 1000));
    const c = await cancellation();

    await deliverTimer(ports, { kind: "cancellation", cancellationId: c.id });
    const firstPage = runs.slice(0, BULK_CANCEL_PAGE);
    for (const r of firstPage) expect(await statusOf(r)).toBe("Cancelled");
    for (const r of runs.slice(BULK_CANCEL_PAGE)) expect(await statusOf(r)).toBe("Running");
    const next = ports.timers.takeDue(ports.clock.now());
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({
      item: { kind: "cancellation", cancellationId: c.id, cursor: expect.any(String) },
      dueAt: ports.clock.now(),
    });

    await deliverTimer(ports, next[0]?.item ?? { kind: "sweep" });
    for (const r of runs) expect(await statusOf(r)).toBe("Cancelled");
    expect(ports.timers.pending()).toEqual([]);
  });

  it("does nothing once the cancellation is deleted", async () => {
    const r = await run(T0 + MIN);
    const c = await cancellation();
    await ports.cancellations.delete(c.id);
    expect(await bulkCancelPage(ports, c.id)).toEqual({ status: "gone" });
    expect(await statusOf(r)).toBe("Running");
  });

  it("is harmless when delivered twice", async () => {
    const r = await run(T0 + MIN);
    const c = await cancellation();
    await bulkCancelPage(ports, c.id);
    expect(await bulkCancelPage(ports, c.id)).toEqual({ status: "page", cancelled: [] });
    expect((await ports.runs.getRun(r.runId))?.version).toBe(1);
  });
});

describe("covers", () => {
  it("takes both ends of the window, the function and `if` into account", async () => {
    const c = await cancellation({ if: "event.data.x == 1" });
    const ev = makeEvent({ data: { x: 1 } });
    expect(covers(c, { fnSlug: fn.slug, startedAt: T0 }, ev)).toBe(true);
    expect(covers(c, { fnSlug: fn.slug, startedAt: T0 + 30 * MIN }, ev)).toBe(true);
    expect(covers(c, { fnSlug: fn.slug, startedAt: T0 - 1 }, ev)).toBe(false);
    expect(covers(c, { fnSlug: fn.slug, startedAt: T0 + 30 * MIN + 1 }, ev)).toBe(false);
    expect(covers(c, { fnSlug: other.slug, startedAt: T0 }, ev)).toBe(false);
    expect(covers(c, { fnSlug: fn.slug, startedAt: T0 }, makeEvent({ data: { x: 2 } }))).toBe(false);
    expect(covers(c, { fnSlug: fn.slug, startedAt: T0 }, undefined)).toBe(false);
  });
});

describe("the runner under a bulk cancellation", () => {
  it("cancels a run created inside the window at once, sending no start job", async () => {
    ports.clock.set(T0 + 5 * MIN);
    const c = await cancellation({
      startedAfter: T0,
      startedBefore: T0 + 30 * MIN,
      if: "event.data.kill == true",
    });
    const killed = makeAccepted({ name: "test/event", data: { kill: true } }, T0 + 5 * MIN);
    const spared = makeAccepted({ name: "test/event", data: { kill: false } }, T0 + 5 * MIN);

    await handleEvents(ports, [killed, spared]);

    for (const slug of [fn.slug, other.slug]) {
      const killedRun = await ports.runs.getRun(runIdFor(slug, killed));
      const expected = slug === fn.slug ? "Cancelled" : "Running";
      expect(killedRun?.status).toBe(expected);
      expect((await ports.runs.getRun(runIdFor(slug, spared)))?.status).toBe("Running");
    }
    expect(await ports.runs.getRun(runIdFor(fn.slug, killed))).toMatchObject({
      cancelledBy: `cancellation ${c.id}`,
    });
    const started = ports.work.sent().map((j) => j.runId);
    expect(started).not.toContain(runIdFor(fn.slug, killed));
    expect(started).toContain(runIdFor(fn.slug, spared));
    // The event still records the run it started.
    expect((await ports.events.getEvent(killed.internalId))?.runIds).toContain(runIdFor(fn.slug, killed));
  });

  it("starts runs created after the window as usual", async () => {
    await cancellation({ startedBefore: T0 + 30 * MIN });
    ports.clock.set(T0 + 31 * MIN);
    const accepted = makeAccepted({ name: "test/event" }, T0 + 31 * MIN);
    await handleEvents(ports, [accepted]);
    expect((await ports.runs.getRun(runIdFor(fn.slug, accepted)))?.status).toBe("Running");
  });

  it("reads the stored cancellations once per batch", async () => {
    ports.clock.set(T0 + 5 * MIN);
    await cancellation({ if: "event.data.never == true" });
    const list = vi.spyOn(ports.cancellations, "list");
    const batch = [1, 2, 3].map(() => makeAccepted({ name: "test/event" }, T0 + 5 * MIN));
    await handleEvents(ports, batch);
    expect(list).toHaveBeenCalledTimes(1);
    await handleEvents(
      ports,
      batch.slice(0, 1).map(() => makeAccepted({ name: "test/event" }, T0 + 5 * MIN)),
    );
    expect(list).toHaveBeenCalledTimes(2);
  });

  it("cancels a redelivered run that the first delivery created but did not cancel", async () => {
    ports.clock.set(T0 + 5 * MIN);
    const accepted = makeAccepted({ name: "test/event" }, T0 + 5 * MIN);
    await handleEvents(ports, [accepted]);
    expect((await ports.runs.getRun(runIdFor(fn.slug, accepted)))?.status).toBe("Running");
    await cancellation({ startedAfter: T0 + 4 * MIN, startedBefore: T0 + 6 * MIN });
    ports.clock.set(T0 + 7 * MIN); // redelivered after the window: the run's own start time counts
    await handleEvents(ports, [accepted]);
    expect((await ports.runs.getRun(runIdFor(fn.slug, accepted)))?.status).toBe("Cancelled");
  });
});
