/**
 * Rate limit, idempotency, throttle and singleton through the real runner, executor and timers on
 * the memory ports (SEMANTICS 5.1, 5.2, 5.6, 5.7): who runs, who is Skipped (and why), when
 * throttled starts go, and what redelivered events do.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { singletonLock, UNBORN_GRACE_MS } from "../../../../shared/core/flow/singleton.js";
import { runIdFor } from "../../../../shared/core/runner/startRuns.js";
import { cancelRun } from "../../../../shared/core/runs/cancel.js";
import type { JsonObject } from "../../../../shared/domain/json.js";
import type { AcceptedEvent, FunctionRecord, RunRecord } from "../../../../shared/domain/schemas.js";
import { INTERNAL_EVENTS } from "../../../../shared/protocol/constants.js";
import { makeAccepted, T0 } from "../../../fixtures/records.js";
import { complete, ops } from "../../../fixtures/sdk.js";
import { HOUR, named, type Script, type World, waitOp, world } from "../pauses/world.js";

const DAY = 24 * HOUR;

let w: World;

beforeEach(async () => {
  w = await world();
});

const done: Script = () => complete("done");

/** Holds the run in a wait until a `release` event with the same data.key comes. */
const holds = (): Script => (call) =>
  "w1" in call.steps
    ? complete("released")
    : ops(waitOp("w1", { event: w.ev("release"), timeout: "1h", if: "async.data.key == event.data.key" }));

async function syncFn(
  id: string,
  config: Record<string, unknown>,
  script: Script = done,
): Promise<FunctionRecord> {
  const fn = w.fn(id, [w.ev("go")], { config: { id, ...config } });
  await w.sync([[fn, script]]);
  return fn;
}

const go = (data: JsonObject = {}) => w.send({ name: w.ev("go"), data });

/** Run ids of the start jobs on the work queue. */
const queuedRuns = () => w.ports.work.peek().map((q) => q.job.runId);

describe("rate limit", () => {
  it("skips an event over its key's limit (recorded on the event), while other keys and later events run", async () => {
    const fn = await syncFn("limited", { rateLimit: { limit: 1, period: "5s", key: "event.data.key" } });
    const a1 = await go({ key: "a" });
    const a2 = await go({ key: "a" });
    const b1 = await go({ key: "b" });

    expect((await w.runOf(fn, a1)).status).toBe("Running");
    expect(await w.runOf(fn, a2)).toMatchObject({
      status: "Skipped",
      skipped: { reason: "rateLimit" },
      endedAt: T0,
      next: [],
    });
    expect((await w.runOf(fn, b1)).status).toBe("Running");
    expect(queuedRuns()).toEqual([runIdFor(fn.slug, a1), runIdFor(fn.slug, b1)]);
    expect((await w.ports.events.getEvent(a2.internalId))?.runIds).toEqual([runIdFor(fn.slug, a2)]);

    w.ports.clock.advance(4999);
    expect((await w.runOf(fn, await go({ key: "a" }))).status).toBe("Skipped");
    w.ports.clock.advance(1);
    expect((await w.runOf(fn, await go({ key: "a" }))).status).toBe("Running");
  });

  it("is a GCRA, not a fixed window: limit 2 per 10 s lets one through, then one every 5 s", async () => {
    const fn = await syncFn("gcra", { rateLimit: { limit: 2, period: "10s" } });
    const status = async () => (await w.runOf(fn, await go())).status;
    expect(await status()).toBe("Running");
    expect(await status()).toBe("Skipped");
    w.ports.clock.advance(5000);
    expect(await status()).toBe("Running");
    expect(await status()).toBe("Skipped");
  });

  it("skips an event whose key fails to evaluate (the scheduling fails, SEMANTICS 5.2)", async () => {
    const fn = await syncFn("broken", { rateLimit: { limit: 5, period: "1h", key: "event.data.k.size()" } });
    expect(await w.runOf(fn, await go({ k: 12 }))).toMatchObject({
      status: "Skipped",
      skipped: { reason: "rateLimit" },
    });
  });

  it("does not apply to an event whose key is false or missing", async () => {
    const fn = await syncFn("keyed", { rateLimit: { limit: 1, period: "1h", key: "event.data.key" } });
    for (const data of [{}, {}, { key: false }, { key: false }] as JsonObject[]) {
      expect((await w.runOf(fn, await go(data))).status).toBe("Running");
    }
  });

  it("counts per function: two functions on one event do not share a limit", async () => {
    const config = { rateLimit: { limit: 1, period: "1m" } };
    const one = w.fn("one", [w.ev("go")], { config: { id: "one", ...config } });
    const two = w.fn("two", [w.ev("go")], { config: { id: "two", ...config } });
    await w.sync([
      [one, done],
      [two, done],
    ]);
    const first = await go();
    const second = await go();
    for (const fn of [one, two]) {
      expect((await w.runOf(fn, first)).status).toBe("Running");
      expect((await w.runOf(fn, second)).status).toBe("Skipped");
    }
  });

  it("counts a redelivered event once, and sends its run's start again", async () => {
    const fn = await syncFn("redelivered", { rateLimit: { limit: 1, period: "1m" } });
    const first = await go();
    w.ports.work.drain();
    await w.deliver(first);
    expect((await w.runOf(fn, first)).status).toBe("Running");
    expect(queuedRuns()).toEqual([runIdFor(fn.slug, first)]);
    // Counted twice, the next event would be refused until 2 minutes.
    w.ports.clock.advance(60_000);
    const later = await go();
    expect((await w.runOf(fn, later)).status).toBe("Running");
    const skipped = await go();
    w.ports.work.drain();
    await w.deliver(skipped);
    expect((await w.runOf(fn, skipped)).status).toBe("Skipped");
    expect(queuedRuns()).toEqual([]);
  });

  it("does not count an event that starts no run of the function (its trigger's `if` fails)", async () => {
    const fn = w.fn("filtered", [], {
      triggers: [{ event: w.ev("go"), expression: "event.data.ok == true" }],
      config: { id: "filtered", rateLimit: { limit: 1, period: "1m" } },
    });
    await w.sync([[fn, done]]);
    await go({ ok: false });
    expect((await w.runOf(fn, await go({ ok: true }))).status).toBe("Running");
  });
});

describe("idempotency", () => {
  it("starts one run per key value per 24 h; duplicates are Skipped as idempotency", async () => {
    const fn = await syncFn("idem", { idempotency: "event.data.id" });
    const x1 = await go({ id: "x" });
    const x2 = await go({ id: "x" });
    const y1 = await go({ id: "y" });
    expect((await w.runOf(fn, x1)).status).toBe("Running");
    expect(await w.runOf(fn, x2)).toMatchObject({ status: "Skipped", skipped: { reason: "idempotency" } });
    expect((await w.runOf(fn, y1)).status).toBe("Running");
    w.ports.clock.advance(DAY - 1);
    expect((await w.runOf(fn, await go({ id: "x" }))).status).toBe("Skipped");
    w.ports.clock.advance(1);
    expect((await w.runOf(fn, await go({ id: "x" }))).status).toBe("Running");
  });

  it("replaces a rate limit the function also declares", async () => {
    const fn = await syncFn("both", {
      idempotency: "event.data.id",
      rateLimit: { limit: 100, period: "1s" },
    });
    expect((await w.runOf(fn, await go({ id: "x" }))).status).toBe("Running");
    expect((await w.runOf(fn, await go({ id: "x" }))).skipped).toEqual({ reason: "idempotency" });
  });
});

describe("throttle", () => {
  const throttle = { limit: 2, period: "3s", burst: 1 };

  /** The due time of each run's start job (undefined = sent at once). */
  async function startDue(fn: FunctionRecord, events: AcceptedEvent[]): Promise<(number | undefined)[]> {
    return Promise.all(events.map(async (e) => (await w.runOf(fn, e)).next[0]?.dueAt));
  }

  it("starts limit + burst at once and delays the rest one interval apart, dropping none", async () => {
    const fn = await syncFn("throttled", { throttle });
    const events: AcceptedEvent[] = [];
    for (let i = 0; i < 6; i++) events.push(await go({ i }));

    expect(await startDue(fn, events)).toEqual([
      undefined,
      undefined,
      undefined,
      T0 + 1500,
      T0 + 3000,
      T0 + 4500,
    ]);
    expect(queuedRuns()).toEqual(events.slice(0, 3).map((e) => runIdFor(fn.slug, e)));
    expect(w.ports.timers.pending().map((t) => t.dueAt)).toEqual([T0 + 1500, T0 + 3000, T0 + 4500]);
    await w.runJobs();

    // Each delayed start goes when its slot comes, and every run completes.
    for (const [at, event] of [
      [1500, events[3]],
      [3000, events[4]],
      [4500, events[5]],
    ] as const) {
      w.ports.clock.set(T0 + at - 1);
      await w.fireDueTimers();
      expect(queuedRuns()).toEqual([]);
      w.ports.clock.set(T0 + at);
      await w.fireDueTimers();
      expect(queuedRuns()).toEqual([runIdFor(fn.slug, event as AcceptedEvent)]);
      await w.runJobs();
    }
    for (const e of events) expect((await w.runOf(fn, e)).status).toBe("Completed");
  });

  it("reserves no second slot for a redelivered event", async () => {
    const fn = await syncFn("redelivered", { throttle: { limit: 1, period: "2s" } });
    const first = await go();
    const second = await go();
    await w.deliver(second);
    await w.deliver(first);
    const third = await go();
    expect(await startDue(fn, [first, second, third])).toEqual([undefined, T0 + 2000, T0 + 4000]);
  });

  it("throttles each key on its own, and never across functions", async () => {
    const config = { throttle: { limit: 1, period: "2s", key: "event.data.k" } };
    const one = w.fn("one", [w.ev("go")], { config: { id: "one", ...config } });
    const two = w.fn("two", [w.ev("go")], { config: { id: "two", ...config } });
    await w.sync([
      [one, done],
      [two, done],
    ]);
    const events = [await go({ k: "a" }), await go({ k: "a" }), await go({ k: "b" })];
    for (const fn of [one, two])
      expect(await startDue(fn, events)).toEqual([undefined, T0 + 2000, undefined]);
  });

  it("applies to runs that start later than their event: a debounce-like flush passes it too", async () => {
    const fn = await syncFn("later", { throttle: { limit: 1, period: "10s" } });
    const first = await go();
    w.ports.clock.advance(4000);
    const second = await go();
    expect(await startDue(fn, [first, second])).toEqual([undefined, T0 + 10_000]);
  });
});

describe("singleton", () => {
  const release = (key: string) => w.send({ name: w.ev("release"), data: { key } });

  it("skip: a run while a live holder has the lock is Skipped naming the holder; once it ends, the next runs", async () => {
    const fn = await syncFn("solo", { singleton: { key: "event.data.key", mode: "skip" } }, holds());
    const a1 = await go({ key: "a" });
    await w.runJobs(); // a1 now waits: it holds the lock through the wait
    const holder = await w.runOf(fn, a1);
    const lock = singletonLock(fn, holder) ?? "";
    const holderOf = async () => (await w.ports.gates.getLock(lock, w.ports.clock.now()))?.holder;
    expect(await holderOf()).toBe(holder.runId);

    const a2 = await go({ key: "a" });
    const b1 = await go({ key: "b" });
    expect(await w.runOf(fn, a2)).toMatchObject({
      status: "Skipped",
      skipped: { reason: "singleton", holder: holder.runId },
    });
    expect((await w.runOf(fn, b1)).status).toBe("Running");

    await release("a");
    await w.settle();
    expect((await w.runOf(fn, a1)).status).toBe("Completed");
    const a3 = await go({ key: "a" });
    const next = await w.runOf(fn, a3);
    expect(next.status).toBe("Running");
    expect(await holderOf()).toBe(next.runId);
  });

  it("cancel: the live holder is cancelled (with its events) and the new run takes the lock", async () => {
    const fn = await syncFn("latest", { singleton: { key: "event.data.key", mode: "cancel" } }, holds());
    const a1 = await go({ key: "a" });
    await w.runJobs();
    w.takeStream();
    const a2 = await go({ key: "a" });
    const newer = await w.runOf(fn, a2);

    expect(await w.runOf(fn, a1)).toMatchObject({
      status: "Cancelled",
      cancelledBy: `singleton ${newer.runId}`,
    });
    expect(named(w.takeStream(), INTERNAL_EVENTS.functionCancelled)).toHaveLength(1);
    expect(newer.status).toBe("Running");
    const lock = await w.ports.gates.getLock(singletonLock(fn, newer) ?? "", w.ports.clock.now());
    expect(lock?.holder).toBe(newer.runId);
    await w.runJobs();
    await release("a");
    await w.settle();
    expect((await w.runOf(fn, a2)).status).toBe("Completed");
  });

  it("cancel: a redelivered event neither cancels its own run nor skips it", async () => {
    const fn = await syncFn("latest", { singleton: { mode: "cancel" } }, holds());
    const a1 = await go({ key: "a" });
    await w.runJobs();
    await w.deliver(a1);
    expect(await w.runOf(fn, a1)).toMatchObject({ status: "Running" });
    expect((await w.runOf(fn, a1)).cancelledBy).toBeUndefined();
  });

  it("cancel: a second send of the same event id does not cancel the run of the first", async () => {
    const fn = await syncFn("latest", { singleton: { mode: "cancel" } }, holds());
    const first = await go({ key: "a" });
    await w.runJobs();
    const again = makeAccepted({ name: w.ev("go"), id: first.event.id, data: { key: "a" } }, T0);
    await w.deliver(again);
    expect((await w.runOf(fn, first)).status).toBe("Running");
    // The copy starts nothing: at most a Skipped record naming the first run (a skip takes no
    // event-id key, so it can never keep a copy of an event from running).
    const copies = await w.ports.runs.listRunsForEvent(again.internalId);
    expect(copies.map((r) => [r.status, r.skipped?.holder])).toEqual([
      ["Skipped", (await w.runOf(fn, first)).runId],
    ]);
  });

  it("a skip takes no event-id key: a copy of the event that races it still runs", async () => {
    const fn = await syncFn("raced", { singleton: { mode: "skip" } }, holds());
    const holder = await go({ key: "a" });
    await w.runJobs();
    // A copy of a new event is skipped while the holder lives; the holder ends; another copy of the
    // same event id (through another shard) then runs.
    const copy1 = makeAccepted({ name: w.ev("go"), id: "same-id", data: { key: "a" } }, T0);
    await w.deliver(copy1);
    expect((await w.runOf(fn, copy1)).status).toBe("Skipped");
    await cancelRun(w.deps, (await w.runOf(fn, holder)).runId, "api");
    const copy2 = makeAccepted({ name: w.ev("go"), id: "same-id", data: { key: "a" } }, T0);
    await w.deliver(copy2);
    expect((await w.runOf(fn, copy2)).status).toBe("Running");
  });

  it("skip: a duplicate event id after the holder ended leaves no lock behind", async () => {
    const fn = await syncFn("dup", { singleton: { mode: "skip" } }, done);
    const first = await go({ key: "a" });
    await w.runJobs();
    expect((await w.runOf(fn, first)).status).toBe("Completed");
    // Same event id again: no run (event-id idempotency), and the lock it took is given back.
    const again = makeAccepted({ name: w.ev("go"), id: first.event.id, data: { key: "a" } }, T0);
    await w.deliver(again);
    expect(await w.ports.runs.listRunsForEvent(again.internalId)).toEqual([]);
    const next = await go({ key: "a" });
    expect((await w.runOf(fn, next)).status).toBe("Running");
  });

  it("without a key is one per function; a key that is false or missing makes no singleton", async () => {
    const whole = await syncFn("whole", { singleton: { mode: "skip" } }, holds());
    const first = await go({ key: "a" });
    expect((await w.runOf(whole, await go({ key: "b" }))).skipped).toEqual({
      reason: "singleton",
      holder: runIdFor(whole.slug, first),
    });

    const keyed = await syncFn("keyed", { singleton: { key: "event.data.key", mode: "skip" } }, holds());
    const runs: RunRecord[] = [];
    for (const data of [{}, {}, { key: false }] as JsonObject[])
      runs.push(await w.runOf(keyed, await go(data)));
    // No lock name, so no lock taken: all three run.
    expect(runs.map((r) => [r.status, singletonLock(keyed, r)])).toEqual([
      ["Running", undefined],
      ["Running", undefined],
      ["Running", undefined],
    ]);
  });

  it("treats a holder never stored as live for a short grace, then takes the lock over", async () => {
    const fn = await syncFn("ghosted", { singleton: { mode: "skip" } });
    await w.ports.gates.claimLock(fn.slug, { holder: "ghost", expect: undefined, now: T0, until: T0 + DAY });
    expect((await w.runOf(fn, await go())).skipped).toEqual({ reason: "singleton", holder: "ghost" });
    expect(UNBORN_GRACE_MS).toBe(10_000);
    w.ports.clock.advance(UNBORN_GRACE_MS - 1);
    expect((await w.runOf(fn, await go())).skipped).toEqual({ reason: "singleton", holder: "ghost" });
    w.ports.clock.advance(1);
    expect((await w.runOf(fn, await go())).status).toBe("Running");
  });

  it("takes no throttle slot for a Skipped run", async () => {
    const config = { singleton: { mode: "skip" }, throttle: { limit: 1, period: "10s" } };
    const fn = await syncFn("both", config, holds());
    const first = await go({ key: "a" });
    await w.runJobs();
    expect((await w.runOf(fn, await go())).status).toBe("Skipped");
    await release("a");
    await w.settle();
    expect((await w.runOf(fn, first)).status).toBe("Completed");
    const third = await go();
    expect((await w.runOf(fn, third)).next[0]?.dueAt).toBe(T0 + 10_000);
  });
});
