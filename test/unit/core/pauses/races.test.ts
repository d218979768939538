import { beforeEach, describe, expect, it } from "vitest";
import { executeJob, type HttpCall, type JobResult } from "../../../../shared/core/engine/executeJob.js";
import { RESUME_ATTEMPTS, resumePause, timeoutValue } from "../../../../shared/core/pauses/resume.js";
import { cancelRun } from "../../../../shared/core/runs/cancel.js";
import { deliverTimer } from "../../../../shared/core/scheduling/timerKinds.js";
import type { FunctionRecord, Job, RunRecord, TimerItem } from "../../../../shared/domain/schemas.js";
import { INTERNAL_EVENTS, LIMITS } from "../../../../shared/protocol/constants.js";
import { T0 } from "../../../fixtures/records.js";
import { complete, ops, stepRun } from "../../../fixtures/sdk.js";
import { HOUR, MINUTE, named, one, type World, waitOp, world } from "./world.js";

let w: World;

describe("a wait's event and its timeout racing", () => {
  let waiter: FunctionRecord;
  let run: RunRecord;
  let timeout: TimerItem;

  beforeEach(async () => {
    w = await world();
    waiter = w.fn("waiter", [w.ev("start")]);
    await w.sync([
      [
        waiter,
        ({ steps }) =>
          "w1" in steps
            ? complete({ got: steps.w1 ?? null })
            : ops(
                waitOp("w1", { event: w.ev("reply"), timeout: "1h", if: "async.data.id == event.data.id" }),
              ),
      ],
    ]);
    const trigger = await w.send({ name: w.ev("start"), data: { id: "o1" } });
    await w.runJobs();
    run = await w.runOf(waiter, trigger);
    const [message] = w.ports.timers.pending();
    if (!message) throw new Error("no pause timeout armed");
    timeout = message.item;
  });

  /** The run store's commits lose `times` races first (a concurrent commit moves the version). */
  function loseRaces(times: number): void {
    const commit = w.ports.runs.commitTransition.bind(w.ports.runs);
    let left = times;
    w.ports.runs.commitTransition = async (runId, expected, t) => {
      if (left-- > 0) await commit(runId, expected, { set: {}, at: T0 });
      return commit(runId, expected, t);
    };
  }

  it(`resumes after losing ${RESUME_ATTEMPTS - 1} commit races, and throws (to be delivered again) after ${RESUME_ATTEMPTS}`, async () => {
    loseRaces(RESUME_ATTEMPTS - 1);
    expect(await resumePause(w.deps, run.runId, one(run.pauses ?? []), null)).toBe("resumed");
  });

  it(`throws rather than drop the resume when every one of ${RESUME_ATTEMPTS} commits loses its race`, async () => {
    loseRaces(RESUME_ATTEMPTS);
    await expect(resumePause(w.deps, run.runId, one(run.pauses ?? []), null)).rejects.toThrow(/kept losing/);
    // The pause still waits: a redelivered event or timer can resume it.
    expect(w.ports.pauses.all().map((p) => p.pauseId)).toEqual([one(run.pauses ?? []).pauseId]);
  });

  /** The run's discovery jobs queued so far. */
  const discoveries = () => w.ports.work.peek().filter((q) => q.job.runId === run.runId);

  it("lets the event win when it comes first: the timeout then finds the pause gone", async () => {
    w.ports.clock.set(T0 + HOUR - 1);
    const reply = await w.send({ name: w.ev("reply"), data: { id: "o1" } });
    w.ports.clock.set(T0 + HOUR);

    await deliverTimer(w.deps, timeout);

    expect(await w.run(run.runId)).toMatchObject({ version: 2, stack: ["w1"], pauses: [] });
    expect(await w.ports.runs.getStep(run.runId, "w1")).toMatchObject({ value: reply.event });
    expect(discoveries()).toHaveLength(1);
  });

  it("lets the timeout win when it comes first: the late event finds no pause", async () => {
    w.ports.clock.set(T0 + HOUR);
    await deliverTimer(w.deps, timeout);

    // Received before the expiry but handled after the timeout consumed the pause.
    w.ports.clock.set(T0 + HOUR + MINUTE);
    await w.send({ name: w.ev("reply"), data: { id: "o1" } }, T0 + HOUR - 1);

    expect(await w.run(run.runId)).toMatchObject({ version: 2, stack: ["w1"], pauses: [] });
    expect(await w.ports.runs.getStep(run.runId, "w1")).toMatchObject({ value: null });
    expect(discoveries()).toHaveLength(1);
  });

  it("resumes once when both arrive together: exactly one value is stored", async () => {
    w.ports.clock.set(T0 + HOUR - 1);

    const [reply] = await Promise.all([
      w.send({ name: w.ev("reply"), data: { id: "o1" } }),
      deliverTimer(w.deps, timeout),
    ]);

    const resumed = await w.run(run.runId);
    expect(resumed).toMatchObject({ version: 2, stack: ["w1"], pauses: [] });
    const value = (await w.ports.runs.getStep(run.runId, "w1"))?.value;
    expect([reply.event, timeoutValue("wait")]).toContainEqual(value);
    expect(discoveries()).toHaveLength(1);
    expect(w.ports.pauses.all()).toEqual([]);
  });

  it("ignores a timeout delivered twice", async () => {
    w.ports.clock.set(T0 + HOUR);
    await deliverTimer(w.deps, timeout);
    await deliverTimer(w.deps, timeout);

    expect(await w.run(run.runId)).toMatchObject({ version: 2, stack: ["w1"] });
    expect(discoveries()).toHaveLength(1);
  });
});

describe("a cancel racing a step's completion", () => {
  let worker: FunctionRecord;
  /** Runs while the app answers (the cancel arriving while the step executes). */
  let duringRequest: (() => Promise<void>) | undefined;
  let run: RunRecord;
  let job: Job;

  beforeEach(async () => {
    w = await world();
    worker = w.fn("worker", [w.ev("start")]);
    duringRequest = undefined;
    await w.sync([
      [
        worker,
        ({ steps }) => {
          if (!("s1" in steps)) return ops(stepRun("s1", "one"));
          if (!("s2" in steps)) return ops(stepRun("s2", "two"));
          return complete("done");
        },
      ],
    ]);
    const trigger = await w.send({ name: w.ev("start") });
    expect(await w.executeNext()).toBe("applied"); // s1 stored; the discovery for s2 queued
    run = await w.runOf(worker, trigger);
    const [queued] = w.ports.work.drain();
    if (!queued) throw new Error("no discovery queued");
    job = queued.job;
  });

  /** Runs `job` with an app that lets `duringRequest` happen before it answers. */
  function executeWithCancelDuringRequest(): Promise<JobResult> {
    const answer = w.deps.http;
    const http: HttpCall = async (url, init) => {
      await duringRequest?.();
      return answer(url, init);
    };
    return executeJob({ ...w.deps, http }, job, { receiveCount: 1, remainingMs: 60_000 });
  }

  it("makes the executor's commit lose when the cancel lands while the step executes", async () => {
    duringRequest = async () => {
      await cancelRun(w.deps, run.runId, "api");
    };

    expect(await executeWithCancelDuringRequest()).toBe("stale");

    expect(await w.run(run.runId)).toMatchObject({
      status: "Cancelled",
      version: 2,
      stack: ["s1"],
      next: [],
      cancelledBy: "api",
    });
    expect(await w.ports.runs.getStep(run.runId, "s2")).toBeUndefined();
    expect(w.ports.work.peek()).toEqual([]);
    expect(w.ports.timers.pending()).toEqual([]);
  });

  it("skips the step's job as stale when the cancel landed before it began", async () => {
    await cancelRun(w.deps, run.runId, "api");

    expect(await w.execute(job)).toBe("stale");

    expect(w.requestsOf(worker)).toHaveLength(1);
    expect(w.ports.work.peek()).toEqual([]);
    expect((await w.run(run.runId)).status).toBe("Cancelled");
  });

  it("still cancels when the step's completion commits first, at the version it made", async () => {
    expect(await w.execute(job)).toBe("applied");
    const afterStep = await w.run(run.runId);
    expect(afterStep).toMatchObject({ version: 2, stack: ["s1", "s2"] });

    const cancelled = await cancelRun(w.deps, run.runId, "api");

    expect(cancelled).toMatchObject({ status: "Cancelled", version: 3 });
    expect(await w.run(run.runId)).toMatchObject({ status: "Cancelled", version: 3, next: [] });
    // The discovery the step queued is now stale.
    expect(await w.runJobs()).toEqual(["stale"]);
    expect(w.requestsOf(worker)).toHaveLength(2);
  });

  it("announces the cancellation: function.cancelled under the run's id and function.finished without result or error", async () => {
    w.ports.clock.advance(MINUTE);
    await cancelRun(w.deps, run.runId, "api");

    const events = w.takeStream();
    expect(events.map((e) => e.event.name).sort()).toEqual(
      [INTERNAL_EVENTS.functionCancelled, INTERNAL_EVENTS.functionFinished].sort(),
    );
    const [cancelledEvent] = named(events, INTERNAL_EVENTS.functionCancelled);
    expect(cancelledEvent?.event.id).toBe(run.runId);
    const [finished] = named(events, INTERNAL_EVENTS.functionFinished);
    expect(finished?.event.data).toMatchObject({
      function_id: worker.slug,
      run_id: run.runId,
      event: run.events[0],
      _inngest: { status: "Cancelled" },
    });
    expect(finished?.event.data).not.toHaveProperty("result");
    expect(finished?.event.data).not.toHaveProperty("error");
    expect(finished?.receivedAt).toBe(T0 + MINUTE);
  });

  it("leaves a run that already ended as it was, announcing nothing", async () => {
    expect(await w.execute(job)).toBe("applied");
    await w.runJobs();
    expect((await w.run(run.runId)).status).toBe("Completed");
    w.takeStream();

    expect(await cancelRun(w.deps, run.runId, "api")).toMatchObject({ status: "Completed", version: 3 });
    expect(w.takeStream()).toEqual([]);
  });
});

describe("cancelling a waiting run", () => {
  it("deletes its pauses, so neither the event nor the timeout resumes it", async () => {
    w = await world();
    const waiter = w.fn("waiter", [w.ev("start")], {
      config: { cancel: [{ event: w.ev("stop"), if: "event.data.id == async.data.id" }] },
    });
    await w.sync([
      [
        waiter,
        ({ steps }) =>
          "w1" in steps
            ? complete(null)
            : ops(
                waitOp("w1", { event: w.ev("reply"), timeout: "1h", if: "async.data.id == event.data.id" }),
              ),
      ],
    ]);
    const trigger = await w.send({ name: w.ev("start"), data: { id: "o1" } });
    await w.runJobs();
    const run = await w.runOf(waiter, trigger);
    expect(run.pauses?.map((p) => p.kind).sort()).toEqual(["cancel", "wait"]);
    expect(w.ports.pauses.all()).toHaveLength(2);

    await cancelRun(w.deps, run.runId, "api");

    expect(w.ports.pauses.all()).toEqual([]);
    expect(await w.run(run.runId)).toMatchObject({ status: "Cancelled", version: 2 });
    await w.send({ name: w.ev("reply"), data: { id: "o1" } });
    w.ports.clock.set(T0 + HOUR);
    await w.fireDueTimers();
    expect(await w.run(run.runId)).toMatchObject({ status: "Cancelled", version: 2 });
    expect(await w.ports.runs.getStep(run.runId, "w1")).toBeUndefined();
  });

  it("ends cancelled when one event both resumes its wait and cancels it", async () => {
    w = await world();
    const fn = w.fn("both", [w.ev("start")], { config: { cancel: [{ event: w.ev("x") }] } });
    await w.sync([
      [
        fn,
        ({ steps }) =>
          "w1" in steps ? complete("done") : ops(waitOp("w1", { event: w.ev("x"), timeout: "1h" })),
      ],
    ]);
    const trigger = await w.send({ name: w.ev("start") });
    await w.runJobs();
    w.ports.clock.advance(MINUTE);

    await w.send({ name: w.ev("x") });
    await w.runJobs();

    expect((await w.runOf(fn, trigger)).status).toBe("Cancelled");
    expect(w.requestsOf(fn)).toHaveLength(1);
    expect(w.ports.pauses.all()).toEqual([]);
  });
});

describe("a step planned beside a wait", () => {
  it("commits the step once when the wait resumes while the step's request runs", async () => {
    w = await world();
    const both = w.fn("both", [w.ev("start")]);
    let stepRuns = 0;
    let resumeDuringStep: (() => Promise<void>) | undefined;
    await w.sync([
      [
        both,
        async (call) => {
          const stepId = new URL(call.request.url).searchParams.get("stepId");
          if (stepId === "work") {
            stepRuns++;
            await resumeDuringStep?.();
            return ops(stepRun("work", "worked"));
          }
          if ("work" in call.steps && "reply" in call.steps) return complete("both done");
          const pending = [];
          if (!("work" in call.steps)) pending.push({ id: "work", op: "StepPlanned", name: "work" });
          if (!("reply" in call.steps))
            pending.push(waitOp("reply", { event: w.ev("reply"), timeout: "1h" }));
          return ops(...pending);
        },
      ],
    ]);
    const started = await w.send({ name: w.ev("start") });
    const run = await w.runOf(both, started);
    await w.executeNext(); // plans the step and begins the wait
    resumeDuringStep = async () => {
      resumeDuringStep = undefined;
      await w.send({ name: w.ev("reply") });
    };

    expect(await w.executeNext()).toBe("applied"); // the step, with the reply arriving meanwhile
    await w.runJobs();

    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", output: "both done" });
    expect(stepRuns).toBe(1);
    const stored = await w.ports.runs.getRunState(run.runId);
    expect(stored?.run.stack.sort()).toEqual(["reply", "work"]);
  });
});

describe("a resumed wait and the run's state limit", () => {
  it("fails the run when the matching event would take its state past 32 MiB, and resumes it when it fits", async () => {
    w = await world();
    const waiter = w.fn("waiter", [w.ev("start")]);
    await w.sync([
      [
        waiter,
        ({ steps }) =>
          "reply" in steps
            ? complete("got it")
            : ops(waitOp("reply", { event: w.ev("reply"), timeout: "1h" })),
      ],
    ]);
    const waitingWith = async (room: number) => {
      const started = await w.send({ name: w.ev("start"), data: { room } });
      await w.runJobs();
      const run = await w.runOf(waiter, started);
      const reply = { name: w.ev("reply"), data: {}, id: "evt", ts: T0, user: {} };
      const size = Buffer.byteLength(JSON.stringify({ ...reply }));
      // Leave exactly `room` bytes beyond the event's own size.
      await w.ports.runs.commitTransition(run.runId, run.version, {
        set: { stateBytes: LIMITS.runStateMaxBytes - size - room },
        at: T0,
      });
      return run.runId;
    };
    const fits = await waitingWith(0);
    const over = await waitingWith(-1);

    w.ports.clock.advance(1000);
    await w.send({ name: w.ev("reply"), data: {}, id: "evt", ts: T0, user: {} });
    await w.runJobs();

    expect(await w.run(fits)).toMatchObject({ status: "Completed", output: "got it" });
    expect(await w.run(over)).toMatchObject({
      status: "Failed",
      error: { message: expect.stringContaining(`the limit is ${LIMITS.runStateMaxBytes}`) },
    });
  });
});
