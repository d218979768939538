/** Batching (SEMANTICS 5.4) over the memory ports: the runner, the timers and the buffer protocol. */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { entryBytes, MAX_BATCH_BYTES } from "../../../../shared/core/flow/batch.js";
import { runIdFor } from "../../../../shared/core/runner/startRuns.js";
import { deliverTimer } from "../../../../shared/core/scheduling/timerKinds.js";
import type { FunctionRecord } from "../../../../shared/domain/schemas.js";
import { INTERNAL_EVENTS } from "../../../../shared/protocol/constants.js";
import { filler, makeAccepted } from "../../../fixtures/records.js";
import { type BufferWorld, bufferWorld, numbersOf } from "./bufferWorld.js";

let w: BufferWorld;
let fn: FunctionRecord;

beforeEach(async () => {
  w = bufferWorld();
  fn = w.fn("batched", [w.ev("item")], { batchEvents: { maxSize: 3, timeout: "2s" } });
  await w.sync([fn]);
});

async function sendItems(from: number, to: number, data: Record<string, string> = {}) {
  const sent = [];
  for (let n = from; n <= to; n++) sent.push(await w.send({ name: w.ev("item"), data: { n, ...data } }));
  return sent;
}

describe("batching", () => {
  it("runs full batches at once and the rest at the timeout, events in order, event = the first", async () => {
    const sent = await sendItems(1, 7);
    let runs = await w.runsOf(fn);
    expect(runs.map(numbersOf)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(runs.map((r) => r.eventId)).toEqual([sent[0]?.internalId, sent[3]?.internalId]);
    await w.advance(1999);
    expect(await w.runsOf(fn)).toHaveLength(2);
    await w.advance(1);
    runs = await w.runsOf(fn);
    expect(runs.map(numbersOf)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(w.ports.buffers.held().batches).toEqual([]);
    // The flushed batches' timers find nothing left to flush.
    await w.advance(10_000);
    expect(await w.runsOf(fn)).toHaveLength(3);
  });

  it("records each batched event with the run its batch starts, not as unmatched", async () => {
    const sent = await sendItems(1, 4);
    await w.advance(2000);
    const runs = await w.runsOf(fn);
    const stored = await Promise.all(sent.map((a) => w.ports.events.getEvent(a.internalId)));
    expect(stored.map((e) => e?.runIds)).toEqual([
      [runs[0]?.runId],
      [runs[0]?.runId],
      [runs[0]?.runId],
      [runs[1]?.runId],
    ]);
  });

  it("times out from the first event of a batch", async () => {
    await sendItems(1, 1);
    await w.advance(1500);
    await sendItems(2, 2);
    await w.advance(500);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1, 2]]);
  });

  it("runs an event whose `if` is false (or fails) at once, alone", async () => {
    const gated = w.fn("gated", [w.ev("g")], {
      batchEvents: { maxSize: 10, timeout: "2s", if: "event.data.batch == true" },
    });
    await w.sync([fn, gated]);
    await w.send({ name: w.ev("g"), data: { n: 1, batch: true } });
    const alone = await w.send({ name: w.ev("g"), data: { n: 2, batch: false } });
    const failing = await w.send({ name: w.ev("g"), data: { n: 3 } });
    await w.send({ name: w.ev("g"), data: { n: 4, batch: true } });
    const runs = await w.runsOf(gated);
    expect(runs.map((r) => r.runId).sort()).toEqual(
      [runIdFor(gated.slug, alone), runIdFor(gated.slug, failing)].sort(),
    );
    await w.advance(2000);
    expect((await w.runsOf(gated)).map(numbersOf)).toContainEqual([1, 4]);
  });

  it("batches each key apart", async () => {
    const keyed = w.fn("keyed", [w.ev("k")], {
      batchEvents: { maxSize: 2, timeout: "2s", key: "event.data.k" },
    });
    await w.sync([fn, keyed]);
    for (const [n, k] of [
      [1, "a"],
      [2, "b"],
      [3, "a"],
      [4, "b"],
      [5, "c"],
    ] as const) {
      await w.send({ name: w.ev("k"), data: { n, k } });
    }
    await w.advance(2000);
    expect((await w.runsOf(keyed)).map(numbersOf)).toEqual([[1, 3], [2, 4], [5]]);
  });

  it("appends a redelivered record once, and leaves it out of a later batch after the flush", async () => {
    const [a] = await sendItems(1, 1);
    if (!a) throw new Error("not sent");
    await w.deliver(a);
    await sendItems(2, 2);
    await w.advance(2000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1, 2]]);
    // Delivered again after its batch ran: it lands in a new buffer, whose flush leaves it out.
    await w.deliver(a);
    await sendItems(3, 3);
    await w.advance(2000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1, 2], [3]]);
    await w.deliver(a);
    await w.advance(2000);
    expect(await w.runsOf(fn)).toHaveLength(2);
    expect(w.ports.buffers.held().batches).toEqual([]);
  });

  it("keeps a flushed event out of later batches for a day (its stream record may come back that late)", async () => {
    const [a] = await sendItems(1, 1);
    if (!a) throw new Error("not sent");
    await w.advance(2000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
    await w.advance(23 * 60 * 60 * 1000);
    await w.deliver(a);
    await w.advance(2000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
  });

  it("flushes a batch found due at its exact timeout by a redelivered record of it", async () => {
    const [a] = await sendItems(1, 1);
    if (!a) throw new Error("not sent");
    w.ports.clock.advance(2000); // the timeout; the timer is not delivered yet
    await w.deliver(a);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1]]);
  });

  it("does not batch crons, invokes or an event too large for a batch", async () => {
    const cron = w.fn("cron", [], { batchEvents: { maxSize: 5, timeout: "2s" } });
    await w.sync([fn, cron]);
    const tick = { ...makeAccepted({ name: INTERNAL_EVENTS.scheduledTimer }), target: cron.slug };
    await w.deliver(tick);
    const invoke = makeAccepted({
      name: INTERNAL_EVENTS.functionInvoked,
      data: { _inngest: { fn_id: fn.slug } },
    });
    await w.deliver(invoke);
    const large = await w.send({ name: w.ev("item"), data: { n: 1, blob: filler(MAX_BATCH_BYTES) } });
    expect((await w.runsOf(cron)).map((r) => r.runId)).toEqual([runIdFor(cron.slug, tick)]);
    expect((await w.runsOf(fn)).map((r) => r.runId).sort()).toEqual(
      [runIdFor(fn.slug, invoke), runIdFor(fn.slug, large)].sort(),
    );
  });

  it("batches an event of exactly 256 KiB and runs one a byte larger alone", async () => {
    expect(MAX_BATCH_BYTES).toBe(256 * 1024);
    const sized = (n: number, bytes: number) => {
      const accepted = makeAccepted({ name: w.ev("item"), data: { n, blob: "" } });
      const pad = bytes - entryBytes({ internalId: accepted.internalId, event: accepted.event });
      return { ...accepted, event: { ...accepted.event, data: { n, blob: "x".repeat(pad) } } };
    };
    const exact = sized(1, MAX_BATCH_BYTES);
    const over = sized(2, MAX_BATCH_BYTES + 1);
    await w.deliver(exact);
    await w.deliver(over);
    // The byte larger runs at once, alone; the exact one waits in its batch for the timeout.
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[2]]);
    await w.advance(2000);
    expect((await w.runsOf(fn)).map(numbersOf).sort()).toEqual([[1], [2]]);
  });

  it("flushes early when the next event would pass 256 KiB of events in the batch", async () => {
    const half = (n: number) => ({ name: w.ev("item"), data: { n, blob: filler(150 * 1024) } });
    await w.send(half(1));
    await w.send(half(2));
    // Two events of 150 KiB never share a batch: the first is flushed when the second comes.
    await w.advance(2000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1], [2]]);
  });

  it("runs a batch of maxSize 1 at once, with no wait for the timeout", async () => {
    const single = w.fn("single", [w.ev("one")], { batchEvents: { maxSize: 1, timeout: "2s" } });
    await w.sync([fn, single]);
    await w.send({ name: w.ev("one"), data: { n: 1 } });
    expect((await w.runsOf(single)).map(numbersOf)).toEqual([[1]]);
  });

  it("lets the next event finish a flush that died after sealing", async () => {
    await sendItems(1, 2);
    const create = vi.spyOn(w.ports.runs, "createRun").mockRejectedValueOnce(new Error("crash"));
    await expect(sendItems(3, 3)).rejects.toThrow("crash");
    create.mockRestore();
    expect(w.ports.buffers.held().batches[0]?.sealed).toBe(true);
    await sendItems(4, 4);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1, 2, 3]]);
    await w.advance(2000);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1, 2, 3], [4]]);
  });

  it("lets the timer finish a flush that died after sealing, however often it comes", async () => {
    await sendItems(1, 2);
    w.ports.clock.advance(2000);
    const [timer] = w.ports.timers.takeDue(w.ports.clock.now());
    if (!timer) throw new Error("no timer");
    const create = vi.spyOn(w.ports.runs, "createRun").mockRejectedValueOnce(new Error("crash"));
    await expect(deliverTimer(w.deps, timer.item)).rejects.toThrow("crash");
    create.mockRestore();
    await deliverTimer(w.deps, timer.item);
    await deliverTimer(w.deps, timer.item);
    expect((await w.runsOf(fn)).map(numbersOf)).toEqual([[1, 2]]);
  });

  it("drops the buffer of a function removed before its flush", async () => {
    await sendItems(1, 1);
    await w.ports.registry.putAppSync({ ...(await appOf()), functionSlugs: [] }, [], await appOf());
    await w.advance(2000);
    expect(await w.runsOf(fn)).toEqual([]);
    expect(w.ports.buffers.held().batches).toEqual([]);
  });
});

async function appOf() {
  const app = await w.ports.registry.getApp(fn.appId);
  if (!app) throw new Error("app not synced");
  return app;
}
