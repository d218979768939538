/**
 * Fan-outs on the memory ports: one job per planned step, each in a group of its own, results
 * settled side by side exactly once, and one discovery when the fan-out settles (or after each
 * step of a race). Also the executor running a run's next job itself, and the message that
 * carried a commit re-sending what it had not sent when it died.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { executeJob } from "../../../../shared/core/engine/executeJob.js";
import type { FunctionRecord, Job, RunRecord } from "../../../../shared/domain/schemas.js";
import { complete, ops, stepRun } from "../../../fixtures/sdk.js";
import { type Call, one, type World, waitOp, world } from "../pauses/world.js";

let w: World;
let fn: FunctionRecord;
let run: RunRecord;
/** How the app answers a discovery that has not yet seen both results. */
let plan: Array<Record<string, unknown>>;

const stepOf = (call: Call) => new URL(call.request.url).searchParams.get("stepId");
const planned = (id: string, race = false) => ({
  id,
  op: "StepPlanned",
  name: id,
  ...(race ? { opts: { parallelMode: "race" } } : {}),
});

function queued(): Job[] {
  return w.ports.work.peek().map((m) => m.job);
}

beforeEach(async () => {
  w = await world();
  fn = w.fn("fan", [w.ev("go")]);
  plan = [planned("a"), planned("b")];
  await w.sync([
    [
      fn,
      (call) => {
        const step = stepOf(call);
        if (step === "a" || step === "b") return ops(stepRun(step, `${step} done`));
        if ("a" in call.steps && "b" in call.steps) return complete("all done");
        if ("a" in call.steps || "b" in call.steps)
          return ops(...plan.filter((p) => !(String(p.id) in call.steps)));
        return ops(...plan);
      },
    ],
  ]);
  const accepted = await w.send({ name: w.ev("go") });
  run = await w.runOf(fn, accepted);
  expect(await w.executeNext()).toBe("applied"); // the discovery that plans the fan-out
});

describe("a fan-out of planned steps", () => {
  it("dispatches one job per planned step, each in a message group of its own", () => {
    expect(queued().map((j) => [j.stepId, j.partition])).toEqual([
      ["a", `${run.runId}~a`],
      ["b", `${run.runId}~b`],
    ]);
  });

  it("runs the discovery once, after the last step settles, and completes", async () => {
    expect(await w.executeNext()).toBe("applied"); // a
    expect(queued().map((j) => j.stepId)).toEqual(["b"]);
    expect(await w.executeNext()).toBe("applied"); // b
    expect(one(queued()).stepId).toBe("step");
    await w.runJobs();

    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", output: "all done" });
    expect(w.requestsOf(fn).map(stepOf)).toEqual(["step", "a", "b", "step"]);
  });

  it("settles steps finishing at the same moment each once, with exactly one discovery", async () => {
    const jobs = queued();
    w.ports.work.receive(2);
    const results = await Promise.all(jobs.map((j) => w.execute(j)));

    expect(results).toEqual(["applied", "applied"]);
    expect(queued().map((j) => j.stepId)).toEqual(["step"]);
    const state = await w.ports.runs.getRunState(run.runId);
    expect(state?.run.stack.sort()).toEqual(["a", "b"]);
    expect(state?.steps.map((s) => s.stepId)).toEqual(["a", "b"]);
  });

  it("drops a second delivery of a settled step without calling the app", async () => {
    const [a] = queued();
    await w.execute(a as Job);
    const before = w.requestsOf(fn).length;

    expect(await w.execute(a as Job, 2)).toBe("stale");
    expect(w.requestsOf(fn)).toHaveLength(before);
  });

  it("tells the app to plan, not run, new steps while steps of the fan-out are pending", async () => {
    const [a] = queued();
    await w.execute(a as Job);
    const request = w.requestsOf(fn).at(-1)?.request.body as {
      ctx: { disable_immediate_execution: boolean };
    };
    const first = w.requestsOf(fn)[0]?.request.body as { ctx: { disable_immediate_execution: boolean } };

    expect(first.ctx.disable_immediate_execution).toBe(false);
    // The targeted request for `a` went out while `b` was pending.
    expect(request.ctx.disable_immediate_execution).toBe(true);
  });
});

describe("a fan-out at the 1,000-step limit", () => {
  it("settles 1,000 steps running at once, each stored once, with exactly one discovery", async () => {
    w = await world();
    fn = w.fn("wide", [w.ev("go")]);
    const ids = Array.from({ length: 1000 }, (_, i) => `p${i}`);
    await w.sync([
      [
        fn,
        (call) => {
          const step = stepOf(call);
          if (step && step !== "step") return ops(stepRun(step, step));
          return Object.keys(call.steps).length === ids.length
            ? complete("all")
            : ops(...ids.map((id) => planned(id)));
        },
      ],
    ]);
    const accepted = await w.send({ name: w.ev("go") });
    run = await w.runOf(fn, accepted);
    await w.executeNext();
    const jobs = w.ports.work.receive(1000).map((m) => m.job);
    expect(jobs).toHaveLength(1000);

    const results = await Promise.all(jobs.map((j) => w.execute(j)));

    expect(results.every((r) => r === "applied")).toBe(true);
    expect(queued().map((j) => j.stepId)).toEqual(["step"]);
    const state = await w.ports.runs.getRunState(run.runId);
    expect(state?.steps).toHaveLength(1000);
    expect(new Set(state?.run.stack).size).toBe(1000);
    await w.runJobs();
    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", output: "all" });
  });
});

describe("a race (parallelMode: race)", () => {
  it("follows each settled step with a discovery, without waiting for the others", async () => {
    w = await world();
    fn = w.fn("racer", [w.ev("go")]);
    await w.sync([
      [
        fn,
        (call) => {
          const step = stepOf(call);
          if (step === "a" || step === "b") return ops(stepRun(step, step));
          if ("a" in call.steps) return complete("a won");
          return ops(planned("a", true), planned("b", true));
        },
      ],
    ]);
    const accepted = await w.send({ name: w.ev("go") });
    run = await w.runOf(fn, accepted);
    await w.executeNext();
    const [a] = queued();
    w.ports.work.receive(1);
    await w.execute(a as Job);

    expect(queued().map((j) => j.stepId)).toEqual(["b", "step"]);
    await w.runJobs();
    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", output: "a won" });
  });
});

describe("the executor going on with a run itself", () => {
  it("runs a three-step run in one invocation, sending nothing to the queue", async () => {
    w = await world();
    fn = w.fn("serial", [w.ev("go")]);
    await w.sync([
      [
        fn,
        ({ steps }) => {
          const done = ["s1", "s2", "s3"].filter((id) => id in steps);
          return done.length === 3 ? complete(done.length) : ops(stepRun(`s${done.length + 1}`, 1));
        },
      ],
    ]);
    const accepted = await w.send({ name: w.ev("go") });
    run = await w.runOf(fn, accepted);
    const [start] = w.ports.work.receive(1);

    const result = await executeJob(w.deps, start?.job as Job, { receiveCount: 1, remainingMs: 15 * 60_000 });

    expect(result).toBe("applied");
    expect(queued()).toEqual([]);
    expect(await w.run(run.runId)).toMatchObject({
      status: "Completed",
      output: 3,
      stack: ["s1", "s2", "s3"],
    });
    expect(w.requestsOf(fn)).toHaveLength(4);
  });

  it("goes on itself with exactly 10 minutes left, and hands the run back to the queue with less", async () => {
    w = await world();
    fn = w.fn("serial", [w.ev("go")]);
    await w.sync([[fn, ({ steps }) => ("s1" in steps ? complete("done") : ops(stepRun("s1", 1)))]]);
    const go = async (remainingMs: number) => {
      const accepted = await w.send({ name: w.ev("go"), data: { remainingMs } });
      const started = await w.runOf(fn, accepted);
      const [start] = w.ports.work.receive(1);
      await executeJob(w.deps, start?.job as Job, { receiveCount: 1, remainingMs });
      return started.runId;
    };

    const inline = await go(10 * 60_000);
    expect(queued()).toEqual([]);
    expect((await w.run(inline)).status).toBe("Completed");

    await go(10 * 60_000 - 1);
    expect(queued().map((j) => j.stepId)).toEqual(["step"]);
  });

  it("re-sends the job it was running itself when the message that carried the chain comes back", async () => {
    w = await world();
    fn = w.fn("serial", [w.ev("go")]);
    await w.sync([
      [
        fn,
        ({ steps }) => {
          if ("s2" in steps) return complete("done");
          return ops(stepRun("s1" in steps ? "s2" : "s1", 1));
        },
      ],
    ]);
    const accepted = await w.send({ name: w.ev("go") });
    run = await w.runOf(fn, accepted);
    const [start] = w.ports.work.receive(1);
    const first = start?.job as Job;
    // The first commit lands; the executor dies committing the second (the job it ran itself).
    const commit = w.ports.runs.commitTransition.bind(w.ports.runs);
    let commits = 0;
    w.ports.runs.commitTransition = async (...args) => {
      commits++;
      if (commits === 2) throw new Error("executor died");
      return commit(...args);
    };
    await expect(executeJob(w.deps, first, { receiveCount: 1, remainingMs: 15 * 60_000 })).rejects.toThrow(
      "executor died",
    );
    expect(queued()).toEqual([]);

    expect(await executeJob(w.deps, first, { receiveCount: 2, remainingMs: 15 * 60_000 })).toBe(
      "redispatched",
    );
    expect(queued().map((j) => j.stepId)).toEqual(["step"]);
    await w.runJobs();
    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", stack: ["s1", "s2"] });
  });
});

describe("a sleep beside other steps", () => {
  const sleepOp = (id: string, duration: string) => ({ id, op: "Sleep", name: duration, displayName: id });

  it("runs beside a planned step: its memo is written when it wakes, and one discovery follows both", async () => {
    w = await world();
    fn = w.fn("step-and-sleep", [w.ev("go")]);
    await w.sync([
      [
        fn,
        (call) => {
          if (stepOf(call) === "a") return ops(stepRun("a", "a done"));
          if ("a" in call.steps && "nap" in call.steps) return complete("both");
          return ops(
            ...["a", "nap"]
              .filter((id) => !(id in call.steps))
              .map((id) => (id === "a" ? planned("a") : sleepOp("nap", "10s"))),
          );
        },
      ],
    ]);
    const accepted = await w.send({ name: w.ev("go") });
    run = await w.runOf(fn, accepted);
    await w.executeNext();
    expect(queued().map((j) => j.stepId)).toEqual(["a"]);
    const [timer] = w.ports.timers.pending();
    expect(timer?.item).toMatchObject({ kind: "job", job: { stepId: "nap", wake: true } });

    await w.executeNext(); // a settles; the sleep is still pending, so no discovery yet
    expect(queued()).toEqual([]);
    expect(await w.ports.runs.getStep(run.runId, "nap")).toBeUndefined();

    w.ports.clock.advance(10_000);
    await w.fireDueTimers();
    await w.runJobs();

    expect(await w.run(run.runId)).toMatchObject({
      status: "Completed",
      output: "both",
      stack: ["a", "nap"],
    });
    expect((await w.ports.runs.getStep(run.runId, "nap"))?.value).toBeNull();
    expect(w.requestsOf(fn).map(stepOf)).toEqual(["step", "a", "step"]);
  });

  it("lets a wait racing it resolve when the event comes, before the sleep ends", async () => {
    w = await world();
    fn = w.fn("wait-or-sleep", [w.ev("go")]);
    await w.sync([
      [
        fn,
        (call) => {
          if ("reply" in call.steps) return complete("replied");
          if ("nap" in call.steps) return complete("timed out");
          return ops(waitOp("reply", { event: w.ev("reply"), timeout: "1h" }), sleepOp("nap", "10m"));
        },
      ],
    ]);
    const accepted = await w.send({ name: w.ev("go") });
    run = await w.runOf(fn, accepted);
    await w.executeNext();

    w.ports.clock.advance(1000);
    await w.send({ name: w.ev("reply") });
    await w.runJobs();

    expect(await w.run(run.runId)).toMatchObject({ status: "Completed", output: "replied" });
    expect(await w.ports.runs.getStep(run.runId, "nap")).toBeUndefined();
  });
});
