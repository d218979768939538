import { beforeEach, describe, expect, it } from "vitest";
import type { AcceptedEvent, FunctionRecord, RunRecord } from "../../../../shared/domain/schemas.js";
import { makeAccepted, T0 } from "../../../fixtures/records.js";
import { complete, ops } from "../../../fixtures/sdk.js";
import { expectIdle, HOUR, MINUTE, type World, waitOp, world } from "./world.js";

let w: World;
/** Waits up to an hour for `reply` with the trigger's data.id, then returns what it got. */
let waiter: FunctionRecord;

beforeEach(async () => {
  w = await world();
  waiter = w.fn("waiter", [w.ev("start")]);
  await w.sync([
    [
      waiter,
      ({ steps }) =>
        "w1" in steps
          ? complete({ got: steps.w1 ?? null })
          : ops(waitOp("w1", { event: w.ev("reply"), timeout: "1h", if: "async.data.id == event.data.id" })),
    ],
  ]);
});

/** Starts a waiter run for order `id` and lets it reach its wait. */
async function waitingRun(id = "o1"): Promise<{ trigger: AcceptedEvent; run: RunRecord }> {
  const trigger = await w.send({ name: w.ev("start"), data: { id } });
  expect(await w.runJobs()).toEqual(["applied"]);
  return { trigger, run: await w.runOf(waiter, trigger) };
}

describe("step.waitForEvent", () => {
  it("makes the run wait: no job, the pause stored in the partition its condition pins, the timeout armed", async () => {
    const { trigger, run } = await waitingRun();

    expectIdle(w, run);
    expect(run.version).toBe(1);
    const partition = `EVT#${w.ev("reply")}#data.id#s:o1`;
    expect(run.pauses).toEqual([
      {
        pauseId: `${run.runId}:w1`,
        partition,
        kind: "wait",
        stepId: "w1",
        name: "wait w1",
        eventName: w.ev("reply"),
        createdAt: T0,
        expiresAt: T0 + HOUR,
      },
    ]);
    expect(w.ports.pauses.all()).toEqual([
      {
        ...run.pauses?.[0],
        runId: run.runId,
        fnSlug: waiter.slug,
        triggerEventId: trigger.internalId,
        expression: "async.data.id == event.data.id",
        event: { data: { id: "o1" } },
        indexPath: "data.id",
      },
    ]);
    expect(w.ports.timers.pending()).toEqual([
      { item: { kind: "pauseTimeout", runId: run.runId, pause: run.pauses?.[0] }, dueAt: T0 + HOUR },
    ]);
  });

  it("resumes with the matching event as the step's value, and continues with a discovery", async () => {
    const { run } = await waitingRun();
    w.ports.clock.advance(MINUTE);

    const reply = await w.send({ name: w.ev("reply"), data: { id: "o1", answer: 42 } });

    const resumed = await w.run(run.runId);
    const discovery = {
      runId: run.runId,
      fnSlug: waiter.slug,
      stepId: "step",
      attempt: 0,
      version: 2,
      partition: run.runId,
    };
    expect(resumed).toMatchObject({ status: "Running", version: 2, stack: ["w1"], pauses: [] });
    expect(resumed.next).toEqual([{ job: discovery }]);
    expect(w.ports.work.peek().map((q) => q.job)).toEqual([discovery]);
    expect(await w.ports.runs.getStep(run.runId, "w1")).toMatchObject({
      value: reply.event,
      op: "WaitForEvent",
      name: "wait w1",
      startedAt: T0,
      at: T0 + MINUTE,
    });
    expect(w.ports.pauses.all()).toEqual([]);

    expect(await w.runJobs()).toEqual(["applied"]);
    expect(w.requestsOf(waiter)[1]?.steps).toEqual({ w1: reply.event });
    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", output: { got: reply.event } });
  });

  it("resumes every run waiting for the event, and a redelivered record resumes nothing more", async () => {
    const a = await waitingRun("o1");
    const b = await waitingRun("o1");
    const other = await waitingRun("o2");
    w.ports.clock.advance(MINUTE);

    const reply = await w.send({ name: w.ev("reply"), data: { id: "o1" } });
    await w.deliver(reply);

    for (const { run } of [a, b]) {
      expect(await w.run(run.runId)).toMatchObject({ version: 2, stack: ["w1"] });
    }
    expect((await w.run(other.run.runId)).version).toBe(1);
    expect(
      w.ports.work
        .peek()
        .map((q) => q.job.runId)
        .sort(),
    ).toEqual([a.run.runId, b.run.runId].sort());
  });

  it("is not resumed by an event whose values fail the condition", async () => {
    const { run } = await waitingRun("o1");
    w.ports.clock.advance(MINUTE);

    await w.send({ name: w.ev("reply"), data: { id: "o2" } });
    await w.send({ name: w.ev("reply"), data: {} });
    await w.send({ name: w.ev("other"), data: { id: "o1" } });

    expectIdle(w, await w.run(run.runId));
    expect((await w.run(run.runId)).version).toBe(1);
    expect(w.ports.pauses.all()).toHaveLength(1);
  });

  it("tests a condition that pins no value against every event of the name", async () => {
    const loose = w.fn("loose", [w.ev("go")]);
    await w.sync([
      [waiter, () => complete(null)],
      [
        loose,
        ({ steps }) =>
          "w1" in steps
            ? complete(steps.w1 ?? null)
            : ops(waitOp("w1", { event: w.ev("reading"), timeout: "1h", if: "async.data.n > 5" })),
      ],
    ]);
    const trigger = await w.send({ name: w.ev("go") });
    await w.runJobs();
    const pause = w.ports.pauses.all()[0];
    expect(pause?.partition).toBe(`EVT#${w.ev("reading")}`);

    await w.send({ name: w.ev("reading"), data: { n: 1 } });
    expect((await w.runOf(loose, trigger)).version).toBe(1);

    const high = await w.send({ name: w.ev("reading"), data: { n: 9 } });
    await w.runJobs();
    expect(await w.runOf(loose, trigger)).toMatchObject({ status: "Completed", output: high.event });
  });

  it("is not resumed by a matching event received before the wait began, though handled after", async () => {
    const trigger = await w.send({ name: w.ev("start"), data: { id: "o1" } });
    const early = makeAccepted({ name: w.ev("reply"), data: { id: "o1" } }, T0 + 5_000);
    w.ports.clock.set(T0 + 10_000);
    await w.runJobs();

    await w.deliver(early);

    const run = await w.runOf(waiter, trigger);
    expectIdle(w, run);
    expect(run.version).toBe(1);
    expect(w.ports.pauses.all()).toHaveLength(1);
  });

  it("is never resumed by the run's own trigger, also when that record is delivered again", async () => {
    const echo = w.fn("echo", [w.ev("ping")]);
    await w.sync([
      [waiter, () => complete(null)],
      [
        echo,
        ({ steps }) =>
          "w1" in steps
            ? complete(steps.w1 ?? null)
            : ops(waitOp("w1", { event: w.ev("ping"), timeout: "1h" })),
      ],
    ]);
    const trigger = await w.send({ name: w.ev("ping") });
    await w.runJobs();

    // Redelivered at the instant the wait began: only the trigger check keeps it out.
    await w.deliver(trigger);

    expect(await w.runJobs()).toEqual([]); // the run moved on: the redelivery sends no start again
    const run = await w.runOf(echo, trigger);
    expectIdle(w, run);
    expect(run.version).toBe(1);

    // Any other event of the name resumes it (and starts a run of its own).
    const second = await w.send({ name: w.ev("ping") });
    expect(await w.run(run.runId)).toMatchObject({ version: 2, stack: ["w1"] });
    expect(await w.ports.runs.getStep(run.runId, "w1")).toMatchObject({ value: second.event });
  });

  it("ignores a matching event once the wait has expired, and its timeout resumes it with null", async () => {
    const { run } = await waitingRun();
    w.ports.clock.set(T0 + HOUR);

    await w.send({ name: w.ev("reply"), data: { id: "o1" } });
    expect((await w.run(run.runId)).version).toBe(1);

    expect(await w.fireDueTimers()).toHaveLength(1);
    expect(await w.ports.runs.getStep(run.runId, "w1")).toMatchObject({ value: null, op: "WaitForEvent" });
    await w.runJobs();
    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", output: { got: null } });
  });

  it("expires at once when the op gives no timeout", async () => {
    const hasty = w.fn("hasty", [w.ev("hurry")]);
    await w.sync([
      [waiter, () => complete(null)],
      [
        hasty,
        ({ steps }) =>
          "w1" in steps ? complete(steps.w1 ?? null) : ops(waitOp("w1", { event: w.ev("reply") })),
      ],
    ]);
    const trigger = await w.send({ name: w.ev("hurry") });
    await w.runJobs();
    expect(w.ports.timers.pending()).toMatchObject([{ item: { kind: "pauseTimeout" }, dueAt: T0 }]);

    await w.send({ name: w.ev("reply") });
    await w.fireDueTimers();
    await w.runJobs();

    expect(await w.runOf(hasty, trigger)).toMatchObject({ status: "Completed", output: null });
  });

  it("fails the step, not the run, when the condition does not compile", async () => {
    const broken = w.fn("broken", [w.ev("break")]);
    await w.sync([
      [waiter, () => complete(null)],
      [
        broken,
        ({ steps }) =>
          "w1" in steps
            ? complete(steps.w1 ?? null)
            : ops(waitOp("w1", { event: w.ev("reply"), timeout: "1h", if: "async.data.id ==" })),
      ],
    ]);
    const trigger = await w.send({ name: w.ev("break") });
    await w.runJobs();

    const run = await w.runOf(broken, trigger);
    expect(run).toMatchObject({ status: "Completed", output: { error: { name: "InvalidExpression" } } });
    expect(w.ports.pauses.all()).toEqual([]);
  });

  it("runs a step planned beside a wait while the run waits, then resumes with both results", async () => {
    const both = w.fn("both", [w.ev("go")]);
    await w.sync([
      [
        both,
        ({ steps }) => {
          if ("w1" in steps && "s1" in steps) return complete({ got: steps.w1 ?? null });
          const list: unknown[] = [];
          if (!("w1" in steps)) list.push(waitOp("w1", { event: w.ev("reply"), timeout: "1h" }));
          if (!("s1" in steps)) list.push({ id: "s1", op: "StepPlanned", name: "send" });
          return ops(...list);
        },
      ],
    ]);
    await w.send({ name: w.ev("go") });
    await w.executeNext();
    expect(w.ports.work.peek().map((q) => q.job.stepId)).toEqual(["s1"]);
    expect(w.ports.pauses.all().map((p) => p.stepId)).toEqual(["w1"]);
  });
});
