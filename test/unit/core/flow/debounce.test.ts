/** Debounce (SEMANTICS 5.3) over the memory ports: the runner, the timers and the buffer protocol. */
import { ulid } from "ulid";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { debounceRef } from "../../../../shared/core/flow/debounce.js";
import { deliverTimer } from "../../../../shared/core/scheduling/timerKinds.js";
import type { FunctionRecord } from "../../../../shared/domain/schemas.js";
import { type BufferWorld, bufferWorld, numbersOf } from "./bufferWorld.js";

let w: BufferWorld;
let fn: FunctionRecord;

beforeEach(async () => {
  w = bufferWorld();
  fn = w.fn("debounced", [w.ev("typed")], { debounce: { period: "1s" } });
  await w.sync([fn]);
});

describe("debounce", () => {
  it("starts one run, with the last of a burst of events, a period after the last", async () => {
    for (let n = 1; n <= 5; n++) {
      await w.send({ name: w.ev("typed"), data: { n } });
      await w.advance(300);
    }
    // The last event came 300 ms ago: its period has 700 ms to go.
    expect(await w.runsOf(fn)).toEqual([]);
    await w.advance(699);
    expect(await w.runsOf(fn)).toEqual([]);
    await w.advance(1);
    const runs = await w.runsOf(fn);
    expect(runs.map(numbersOf)).toEqual([[5]]);
    expect(w.ports.buffers.held().debounces).toEqual([]);
    // Its start job is out, like any run's.
    expect(w.ports.work.peek().map((q) => q.job.runId)).toEqual([runs[0]?.runId]);
  });

  it("records each debounced event with the run of its cycle; an ignored older event with none", async () => {
    const sent = [];
    for (let n = 1; n <= 3; n++) sent.push(await w.send({ name: w.ev("typed"), data: { n } }));
    const old = await w.send({ name: w.ev("typed"), data: { n: 0 }, ts: w.ports.clock.now() - 10_000 });
    await w.advance(1000);
    const [run] = await w.runsOf(fn);
    const runIdsOf = async (a: { internalId: string }) =>
      (await w.ports.events.getEvent(a.internalId))?.runIds;
    for (const a of sent) expect(await runIdsOf(a)).toEqual([run?.runId]);
    expect(await runIdsOf(old)).toEqual([]);
  });

  it("a timer that comes before its cycle is written looks again shortly, for a minute at most", async () => {
    const now = w.ports.clock.now();
    const early = { kind: "debounce" as const, fnSlug: fn.slug, key: "", cycle: ulid(now) };
    await deliverTimer(w.deps, early);
    expect(w.ports.timers.pending()).toEqual([{ item: early, dueAt: now + 2000 }]);
    w.ports.timers.takeDue(Number.MAX_SAFE_INTEGER);
    const edge = { ...early, cycle: ulid(now - 60_000) };
    await deliverTimer(w.deps, edge);
    expect(w.ports.timers.pending()).toEqual([{ item: edge, dueAt: now + 2000 }]);
    w.ports.timers.takeDue(Number.MAX_SAFE_INTEGER);
    const stale = { ...early, cycle: ulid(now - 60_001) };
    await deliverTimer(w.deps, stale);
    expect(w.ports.timers.pending()).toEqual([]);
  });

  it("fires at the timeout when it is shorter than the period", async () => {
    const capped = w.fn("capped", [w.ev("c")], { debounce: { period: "5s", timeout: "2s" } });
    await w.sync([fn, capped]);
    await w.send({ name: w.ev("c"), data: { n: 1 } });
    await w.advance(1999);
    expect(await w.runsOf(capped)).toEqual([]);
    await w.advance(1);
    expect((await w.runsOf(capped)).map(numbersOf)).toEqual([[1]]);
  });

  it("ignores an event older than the pending one: no replace, no extension", async () => {
    await w.send({ name: w.ev("typed"), data: { n: 1 } });
    await w.advance(500);
    await w.send({ name: w.ev("typed"), data: { n: 2 }, ts: w.ports.clock.now() - 10_000 });
    await w.advance(500);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
  });

  it("replaces on an equal ts (the later arrival wins)", async () => {
    const ts = w.ports.clock.now();
    await w.send({ name: w.ev("typed"), data: { n: 1 }, ts });
    await w.send({ name: w.ev("typed"), data: { n: 2 }, ts });
    await w.advance(1000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[2]]);
  });

  it("never waits past the first event plus the timeout", async () => {
    const capped = w.fn("capped", [w.ev("tick")], { debounce: { period: "1s", timeout: "2500ms" } });
    await w.sync([fn, capped]);
    for (let n = 1; n <= 10; n++) {
      await w.send({ name: w.ev("tick"), data: { n } });
      await w.advance(500);
    }
    // The first cycle fired at 2.5 s (its cap) with event 5, pending then; event 6 began the second
    // cycle at 2.5 s, capped at 5 s, when event 10 was pending.
    await w.advance(1000);
    expect((await w.runsOf(capped)).map(numbersOf)).toEqual([[5], [10]]);
  });

  it("debounces each key apart; a key that fails to evaluate has its own bucket", async () => {
    const keyed = w.fn("keyed", [w.ev("k")], { debounce: { period: "1s", key: 'event.data.k + "!"' } });
    await w.sync([fn, keyed]);
    await w.send({ name: w.ev("k"), data: { k: "a", n: 1 } });
    await w.send({ name: w.ev("k"), data: { k: "b", n: 2 } });
    await w.send({ name: w.ev("k"), data: { k: "a", n: 3 } });
    await w.send({ name: w.ev("k"), data: { k: null, n: 4 } }); // null + "!" fails
    await w.send({ name: w.ev("k"), data: { k: "false", n: 5 } });
    await w.advance(1000);
    const got = (await w.runsOf(keyed)).flatMap(numbersOf);
    expect(got.sort()).toEqual([2, 3, 4, 5]);
    expect(
      debounceRef(keyed, 'event.data.k + "!"', { name: "x", data: { k: null }, id: "i", ts: 0, user: {} })
        .key,
    ).toBe(
      debounceRef(keyed, 'event.data.k + "!"', { name: "x", data: { k: { a: 1 } }, id: "i", ts: 0, user: {} })
        .key,
    );
  });

  it("starts a new cycle for an event that arrives while the fire runs, and loses neither", async () => {
    await w.send({ name: w.ev("typed"), data: { n: 1 } });
    const [pending] = w.ports.buffers.held().debounces;
    if (!pending) throw new Error("no pending debounce");
    // A fire sealed the cycle and has not started its run yet.
    await w.ports.buffers.putDebounce({ ...pending, sealed: true, version: 1 }, pending, 0);
    await w.send({ name: w.ev("typed"), data: { n: 2 } });
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
    await w.advance(1000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1], [2]]);
    expect(w.ports.buffers.held().debounces).toEqual([]);
  });

  it("fires a cycle found due and not yet fired before it takes the new event", async () => {
    await w.send({ name: w.ev("typed"), data: { n: 1 } });
    w.ports.clock.advance(1500); // the timer is late
    await w.send({ name: w.ev("typed"), data: { n: 2 } });
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
    await w.fireDueTimers(); // the late timer finds its cycle gone
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
    await w.advance(1000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1], [2]]);
  });

  it("fires a cycle at its exact fire time when an event of that millisecond comes before the timer", async () => {
    await w.send({ name: w.ev("typed"), data: { n: 1 } });
    w.ports.clock.advance(1000); // the fire time; the timer is not delivered yet
    await w.send({ name: w.ev("typed"), data: { n: 2 } });
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
    await w.advance(1000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1], [2]]);
  });

  it("a timer of a cycle that fired already (its run exists) looks no further", async () => {
    await w.send({ name: w.ev("typed"), data: { n: 1 } });
    const [timer] = w.ports.timers.pending();
    if (!timer) throw new Error("no timer");
    await w.advance(1000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
    await deliverTimer(w.deps, timer.item);
    expect(w.ports.timers.pending()).toEqual([]);
  });

  it("finishes a fire that died after sealing: the timer comes again", async () => {
    await w.send({ name: w.ev("typed"), data: { n: 1 } });
    w.ports.clock.advance(1000);
    const [timer] = w.ports.timers.takeDue(w.ports.clock.now());
    if (!timer) throw new Error("no timer");
    const create = vi.spyOn(w.ports.runs, "createRun").mockRejectedValueOnce(new Error("crash"));
    await expect(deliverTimer(w.deps, timer.item)).rejects.toThrow("crash");
    expect(w.ports.buffers.held().debounces[0]?.sealed).toBe(true);
    create.mockRestore();
    await deliverTimer(w.deps, timer.item);
    await deliverTimer(w.deps, timer.item); // a third delivery finds nothing to do
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
  });

  it("keeps a redelivered record to one run, before and after the fire", async () => {
    const a = await w.send({ name: w.ev("typed"), data: { n: 1 } });
    await w.deliver(a);
    const b = await w.send({ name: w.ev("typed"), data: { n: 2 } });
    await w.deliver(a); // superseded by b: its claim keeps it out
    await w.advance(1000);
    await w.deliver(a);
    await w.deliver(b);
    await w.advance(5000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[2]]);
    expect(w.ports.buffers.held().debounces).toEqual([]);
  });

  it("applies to cron ticks too", async () => {
    const cron = w.fn("cron", [], { debounce: { period: "1s" } });
    await w.sync([fn, cron]);
    for (let n = 1; n <= 3; n++) {
      const tick = { ...makeTick(n), target: cron.slug };
      await w.deliver(tick);
    }
    await w.advance(1000);
    expect((await w.runsOf(cron)).map(numbersOf)).toEqual([[3]]);
  });
});

function makeTick(n: number) {
  const now = w.ports.clock.now();
  const internalId = `01TICK${String(n).padStart(20, "0")}`;
  return {
    internalId,
    receivedAt: now,
    event: { name: "inngest/scheduled.timer", data: { n }, id: internalId, ts: now + n, user: {} },
  };
}
