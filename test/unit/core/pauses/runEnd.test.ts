import { beforeEach, describe, expect, it } from "vitest";
import type { FunctionRecord } from "../../../../shared/domain/schemas.js";
import { INTERNAL_EVENTS } from "../../../../shared/protocol/constants.js";
import { T0 } from "../../../fixtures/records.js";
import { complete, ops, stepRun } from "../../../fixtures/sdk.js";
import { HOUR, MINUTE, named, one, threw, type World, waitOp, world } from "./world.js";

let w: World;

beforeEach(async () => {
  w = await world();
});

describe("the system events of a run that ends", () => {
  it("announces a failed run: function.failed under the run's id and function.finished with the error", async () => {
    const failing = w.fn("failing", [w.ev("start")], { retries: 0 });
    await w.sync([[failing, () => threw("boom")]]);
    const trigger = await w.send({ name: w.ev("start"), data: { n: 1 } });
    await w.runJobs();
    const run = await w.runOf(failing, trigger);

    const events = w.takeStream();

    expect(run).toMatchObject({ status: "Failed", error: { message: "boom" } });
    expect(events).toHaveLength(2);
    const [failed] = named(events, INTERNAL_EVENTS.functionFailed);
    const [finished] = named(events, INTERNAL_EVENTS.functionFinished);
    expect(failed?.event).toMatchObject({
      id: run.runId,
      data: {
        function_id: failing.slug,
        run_id: run.runId,
        event: trigger.event,
        error: { name: "Error", message: "boom" },
      },
    });
    expect(finished?.event.data).toMatchObject({
      function_id: failing.slug,
      run_id: run.runId,
      event: trigger.event,
      events: [trigger.event],
      error: { message: "boom" },
      _inngest: { status: "Failed" },
    });
    expect(finished?.event.data).not.toHaveProperty("result");
  });

  it("announces a completed run with function.finished carrying its result, and nothing else", async () => {
    const fine = w.fn("fine", [w.ev("start")]);
    await w.sync([[fine, () => complete({ total: 3 })]]);
    const trigger = await w.send({ name: w.ev("start") });
    await w.runJobs();
    const run = await w.runOf(fine, trigger);

    const events = w.takeStream();

    expect(events.map((e) => e.event.name)).toEqual([INTERNAL_EVENTS.functionFinished]);
    expect(events[0]?.event.data).toMatchObject({
      run_id: run.runId,
      result: { total: 3 },
      _inngest: { status: "Completed" },
    });
    expect(events[0]?.event.data).not.toHaveProperty("error");
    expect(events[0]?.event.data).not.toHaveProperty("correlation_id");
  });

  it("announces nothing for runs triggered by function.failed, whether they fail or complete", async () => {
    const failing = w.fn("failing", [w.ev("start")], { retries: 0 });
    const onFailure = w.fn("on-failure", [INTERNAL_EVENTS.functionFailed], { retries: 0 });
    const alsoFailing = w.fn("also-failing", [INTERNAL_EVENTS.functionFailed], { retries: 0 });
    await w.sync([
      [failing, () => threw("boom")],
      [onFailure, () => complete("handled")],
      [alsoFailing, () => threw("again")],
    ]);
    const trigger = await w.send({ name: w.ev("start") });
    await w.runJobs();
    const first = w.takeStream();
    const failed = one(named(first, INTERNAL_EVENTS.functionFailed));

    for (const event of first) await w.deliver(event);
    await w.runJobs();

    expect(await w.runOf(onFailure, failed)).toMatchObject({ status: "Completed" });
    expect(await w.runOf(alsoFailing, failed)).toMatchObject({ status: "Failed" });
    expect(w.takeStream()).toEqual([]);
    expect((await w.runOf(failing, trigger)).status).toBe("Failed");
  });

  it("deletes the stored pauses of a run that completes while it still has cancel pauses", async () => {
    const fn = w.fn("fn", [w.ev("start")], { config: { cancel: [{ event: w.ev("stop") }] } });
    await w.sync([[fn, () => complete(null)]]);
    const trigger = await w.send({ name: w.ev("start") });
    expect(w.ports.pauses.all()).toHaveLength(1);

    await w.runJobs();

    expect((await w.runOf(fn, trigger)).status).toBe("Completed");
    expect(w.ports.pauses.all()).toEqual([]);
  });
});

describe("cancelOn", () => {
  let fn: FunctionRecord;

  beforeEach(async () => {
    fn = w.fn("cancellable", [w.ev("order.created")], {
      config: { cancel: [{ event: w.ev("order.cancelled"), if: "event.data.id == async.data.id" }] },
    });
    await w.sync([
      [
        fn,
        ({ steps }) =>
          "s1" in steps ? ops(waitOp("w1", { event: w.ev("never"), timeout: "1d" })) : ops(stepRun("s1", 1)),
      ],
    ]);
  });

  it("creates the run with a cancel pause in the partition of its trigger's value", async () => {
    const trigger = await w.send({ name: w.ev("order.created"), data: { id: "o1" } });
    const run = await w.runOf(fn, trigger);

    expect(run.pauses).toMatchObject([{ kind: "cancel", eventName: w.ev("order.cancelled") }]);
    expect(w.ports.pauses.all()).toMatchObject([
      {
        kind: "cancel",
        partition: `EVT#${w.ev("order.cancelled")}#data.id#s:o1`,
        createdAt: T0,
        expiresAt: T0 + 365 * 24 * HOUR,
        event: { data: { id: "o1" } },
      },
    ]);
  });

  it("is cancelled by a later matching event, not by one for another order", async () => {
    const trigger = await w.send({ name: w.ev("order.created"), data: { id: "o1" } });
    await w.runJobs(); // s1, then the wait
    const run = await w.runOf(fn, trigger);
    expect(run.status).toBe("Running");
    w.ports.clock.advance(MINUTE);

    await w.send({ name: w.ev("order.cancelled"), data: { id: "o2" } });
    expect((await w.run(run.runId)).status).toBe("Running");

    const stop = await w.send({ name: w.ev("order.cancelled"), data: { id: "o1" } });

    expect(await w.run(run.runId)).toMatchObject({
      status: "Cancelled",
      cancelledBy: `event ${stop.internalId}`,
      endedAt: T0 + MINUTE,
    });
    expect(w.ports.pauses.all()).toEqual([]);
    expect(named(w.takeStream(), INTERNAL_EVENTS.functionCancelled)).toHaveLength(1);
  });

  it("cancels a run whose start job has not run yet, which then finds it ended", async () => {
    const trigger = await w.send({ name: w.ev("order.created"), data: { id: "o1" } });
    w.ports.clock.advance(1);
    await w.send({ name: w.ev("order.cancelled"), data: { id: "o1" } });

    expect(await w.runJobs()).toEqual(["stale"]);
    expect((await w.runOf(fn, trigger)).status).toBe("Cancelled");
    expect(w.requestsOf(fn)).toEqual([]);
  });

  it("stops cancelling once the entry's timeout has passed", async () => {
    const brief = w.fn("brief", [w.ev("order.created")], {
      config: { cancel: [{ event: w.ev("order.cancelled"), timeout: "1h" }] },
    });
    await w.sync([
      [fn, () => complete(null)],
      [brief, () => ops(waitOp("w1", { event: w.ev("never"), timeout: "1d" }))],
    ]);
    const trigger = await w.send({ name: w.ev("order.created"), data: { id: "o1" } });
    await w.runJobs();
    expect(w.ports.pauses.all().find((p) => p.kind === "cancel")?.expiresAt).toBe(T0 + HOUR);

    w.ports.clock.set(T0 + HOUR);
    await w.send({ name: w.ev("order.cancelled"), data: { id: "o1" } });

    expect((await w.runOf(brief, trigger)).status).toBe("Running");
  });

  it("is not cancelled by a matching event received before the run started", async () => {
    const early = await w.send({ name: w.ev("order.cancelled"), data: { id: "o1" } }, T0 - 1);
    expect(early.receivedAt).toBe(T0 - 1);
    const trigger = await w.send({ name: w.ev("order.created"), data: { id: "o1" } });

    await w.deliver(early); // handled late, after the run began

    expect((await w.runOf(fn, trigger)).status).toBe("Running");
  });
});

describe("run timeouts", () => {
  it("timeouts.start cancels a run whose first request has not begun", async () => {
    const fn = w.fn("slow-start", [w.ev("start")], { config: { timeouts: { start: "10m" } } });
    await w.sync([[fn, () => complete("never")]]);
    const trigger = await w.send({ name: w.ev("start") });
    const run = await w.runOf(fn, trigger);
    expect(w.ports.timers.pending()).toEqual([
      { item: { kind: "runTimeout", runId: run.runId, which: "start" }, dueAt: T0 + 10 * MINUTE },
    ]);

    w.ports.clock.set(T0 + 10 * MINUTE);
    await w.fireDueTimers();

    expect(await w.run(run.runId)).toMatchObject({ status: "Cancelled", cancelledBy: "timeouts.start" });
    expect(await w.runJobs()).toEqual(["stale"]);
    expect(w.requestsOf(fn)).toEqual([]);
  });

  it("timeouts.start leaves a run that has begun alone", async () => {
    const fn = w.fn("begun", [w.ev("start")], { config: { timeouts: { start: "10m" } } });
    await w.sync([[fn, () => ops(waitOp("w1", { event: w.ev("never"), timeout: "1d" }))]]);
    const trigger = await w.send({ name: w.ev("start") });
    await w.runJobs();
    const begun = await w.runOf(fn, trigger);
    expect(begun.firstAttemptAt).toBe(T0);

    w.ports.clock.set(T0 + 10 * MINUTE);
    await w.fireDueTimers();

    expect(await w.run(begun.runId)).toMatchObject({ status: "Running", version: begun.version });
  });

  it("timeouts.start spares a run whose first request commits while the cancel is being tried", async () => {
    const fn = w.fn("racing-start", [w.ev("start")], { config: { timeouts: { start: "10m" } } });
    await w.sync([[fn, () => ops(waitOp("w1", { event: w.ev("never"), timeout: "1d" }))]]);
    const trigger = await w.send({ name: w.ev("start") });
    const run = await w.runOf(fn, trigger);
    // The first request commits just before the cancel's first commit: the cancel loses that race.
    const commit = w.ports.runs.commitTransition.bind(w.ports.runs);
    let raced = false;
    w.ports.runs.commitTransition = async (runId, version, t) => {
      if (!raced && t.set.status === "Cancelled") {
        raced = true;
        await w.runJobs();
      }
      return commit(runId, version, t);
    };

    w.ports.clock.set(T0 + 10 * MINUTE);
    await w.fireDueTimers();

    expect(raced).toBe(true);
    expect(await w.run(run.runId)).toMatchObject({ status: "Running", firstAttemptAt: T0 + 10 * MINUTE });
  });

  it("timeouts.finish is armed by the first request and cancels a run still running then", async () => {
    const fn = w.fn("long", [w.ev("start")], { config: { timeouts: { finish: "1h" } } });
    await w.sync([[fn, () => ops(waitOp("w1", { event: w.ev("never"), timeout: "1d" }))]]);
    const trigger = await w.send({ name: w.ev("start") });
    expect(w.ports.timers.pending()).toEqual([]);
    w.ports.clock.advance(MINUTE);
    await w.runJobs();
    const run = await w.runOf(fn, trigger);
    expect(w.ports.timers.pending()).toContainEqual({
      item: { kind: "runTimeout", runId: run.runId, which: "finish" },
      dueAt: T0 + MINUTE + HOUR,
    });

    w.ports.clock.set(T0 + MINUTE + HOUR);
    await w.fireDueTimers();

    expect(await w.run(run.runId)).toMatchObject({
      status: "Cancelled",
      cancelledBy: "timeouts.finish",
    });
    expect(w.ports.pauses.all()).toEqual([]);
  });

  it("timeouts.finish does nothing to a run that already completed", async () => {
    const fn = w.fn("quick", [w.ev("start")], { config: { timeouts: { finish: "1h" } } });
    await w.sync([[fn, ({ steps }) => ("s1" in steps ? complete("done") : ops(stepRun("s1", 1)))]]);
    const trigger = await w.send({ name: w.ev("start") });
    await w.runJobs();
    const run = await w.runOf(fn, trigger);
    expect(run.status).toBe("Completed");
    w.takeStream();

    w.ports.clock.set(T0 + HOUR);
    expect(await w.fireDueTimers()).toHaveLength(1);

    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", version: run.version });
    expect(w.takeStream()).toEqual([]);
  });
});
