import { beforeEach, describe, expect, it } from "vitest";
import { type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../shared/adapters/memory/ManualClock.js";
import { COMMIT_ATTEMPTS, type ExecutorDeps, executeJob } from "../../../shared/core/engine/executeJob.js";
import {
  type FunctionRecord,
  type Job,
  jobId,
  type RunRecord,
  type ScheduledJob,
} from "../../../shared/domain/schemas.js";
import { HEADERS } from "../../../shared/protocol/constants.js";
import { makeApp, makeFunction, makeRun, T0 } from "../../fixtures/records.js";
import {
  complete,
  fakeSdk,
  ops,
  type SdkReply,
  type SdkRequest,
  SIGNING_KEY,
  stepRun,
} from "../../fixtures/sdk.js";
import { randomSuffix } from "../../helpers/randomSuffix.js";

const once = { receiveCount: 1, remainingMs: 60_000 };
const redelivered = { receiveCount: 2, remainingMs: 60_000 };

let ports: MemoryPorts<ManualClock>;
let fn: FunctionRecord;
let run: RunRecord;
/** The run's first job: a discovery at version 0. */
let start: Job;

beforeEach(async () => {
  ports = memoryPorts(new ManualClock(T0));
  const appId = `app-${randomSuffix()}`;
  fn = makeFunction(appId, "fn", ["test/event"]);
  await ports.registry.putAppSync(makeApp(appId, [fn]), [fn]);
  const runId = `01R${randomSuffix(23).toUpperCase()}`;
  start = { runId, fnSlug: fn.slug, stepId: "step", attempt: 0, version: 0, partition: runId };
  run = makeRun({ runId, fnSlug: fn.slug, appId, next: [{ job: start }] });
  await ports.runs.createRun(run);
});

/** Executor deps whose app answers with `answer`; no signing key unless given. */
function deps(
  answer: (req: SdkRequest) => SdkReply | Promise<SdkReply>,
  over: Partial<ExecutorDeps> = {},
): { deps: ExecutorDeps; requests: SdkRequest[] } {
  const sdk = fakeSdk(answer, { nowSeconds: Math.floor(T0 / 1000) });
  return {
    deps: { ...ports, http: sdk.http, signingKeys: [], random: () => 0.5, ...over },
    requests: sdk.requests,
  };
}

/** Everything the executor dispatched: jobs sent to the work queue and timers scheduled. */
function dispatched() {
  return { sent: ports.work.sent(), timers: ports.timers.pending() };
}

/** Commits a transition to version 1 with `next` pending, as an executor before this one did. */
/** The executor's commit of `start`'s answer, as if it was made by the message carrying `start`. */
async function advanceToVersion1(next: ScheduledJob[], carrier = jobId(start)): Promise<void> {
  expect(await ports.runs.commitTransition(run.runId, 0, { set: { next, carrier }, at: T0 })).toBe(true);
}

describe("executeJob", () => {
  it("completes the run with the function's return value when discovery answers 200", async () => {
    const d = deps(() => complete({ ok: 1 }));

    expect(await executeJob(d.deps, start, once)).toBe("applied");

    expect(await ports.runs.getRun(run.runId)).toMatchObject({
      status: "Completed",
      output: { ok: 1 },
      endedAt: T0,
      version: 1,
      next: [],
    });
    expect(d.requests).toHaveLength(1);
    expect(new URL(d.requests[0]?.url ?? "").searchParams.get("stepId")).toBe("step");
    expect(d.requests[0]?.body).toMatchObject({ ctx: { run_id: run.runId, attempt: 0 }, steps: {} });
    expect(dispatched()).toEqual({ sent: [], timers: [] });
  });

  it("stores a StepRun result and dispatches the discovery that follows it", async () => {
    const d = deps(() => ops(stepRun("h1", "one")));

    expect(await executeJob(d.deps, start, once)).toBe("applied");

    const state = await ports.runs.getRunState(run.runId);
    expect(state?.steps).toMatchObject([{ stepId: "h1", value: { data: "one" }, op: "StepRun" }]);
    expect(state?.run).toMatchObject({ status: "Running", version: 1, stack: ["h1"] });
    const next: Job = { ...start, version: 1 };
    expect(state?.run.next).toEqual([{ job: next }]);
    expect(ports.work.drain().map((q) => q.job)).toEqual([next]);
  });

  it("sends the stored steps to the app on the next request", async () => {
    await executeJob(deps(() => ops(stepRun("h1", "one"))).deps, start, once);
    const d = deps(() => complete("done"));

    await executeJob(d.deps, { ...start, version: 1 }, once);

    expect(d.requests[0]?.body).toMatchObject({
      steps: { h1: { data: "one" } },
      ctx: { stack: { stack: ["h1"] } },
    });
    expect(await ports.runs.getRun(run.runId)).toMatchObject({ status: "Completed", output: "done" });
  });

  it("does nothing for a job behind the run's version: no request, no write, no dispatch", async () => {
    await advanceToVersion1([{ job: { ...start, version: 1 } }]);
    const before = await ports.runs.getRunState(run.runId);
    const d = deps(() => complete("never"));

    expect(await executeJob(d.deps, start, once)).toBe("stale");

    expect(d.requests).toEqual([]);
    expect(await ports.runs.getRunState(run.runId)).toEqual(before);
    expect(dispatched()).toEqual({ sent: [], timers: [] });
  });

  it("re-sends the run's pending jobs, without a request, when the message that carried the latest commit comes back", async () => {
    const now: ScheduledJob = { job: { ...start, version: 1 } };
    const later: ScheduledJob = { job: { ...start, version: 1, stepId: "later" }, dueAt: T0 + 3_600_000 };
    await advanceToVersion1([now, later]);
    const d = deps(() => complete("never"));

    expect(await executeJob(d.deps, start, redelivered)).toBe("redispatched");

    expect(d.requests).toEqual([]);
    expect(dispatched()).toEqual({
      sent: [now.job],
      timers: [{ item: { kind: "job", job: later.job }, dueAt: later.dueAt }],
    });
  });

  it("treats a first delivery one version behind as stale: only a redelivery re-dispatches", async () => {
    await advanceToVersion1([{ job: { ...start, version: 1 } }]);

    expect(await executeJob(deps(() => complete("never")).deps, start, once)).toBe("stale");

    expect(dispatched()).toEqual({ sent: [], timers: [] });
  });

  it("treats a redelivery as stale when another message carried the latest commit", async () => {
    await advanceToVersion1([{ job: { ...start, version: 1 } }], "someone-else");

    expect(await executeJob(deps(() => complete("never")).deps, start, redelivered)).toBe("stale");

    expect(dispatched()).toEqual({ sent: [], timers: [] });
  });

  it("does nothing for a job of a run that already finished", async () => {
    await ports.runs.commitTransition(run.runId, 0, {
      set: { status: "Completed", endedAt: T0, output: null, next: [] },
      at: T0,
    });
    const d = deps(() => complete("never"));

    expect(await executeJob(d.deps, { ...start, version: 1 }, once)).toBe("stale");
    expect(d.requests).toEqual([]);
  });

  it("drops a job for an unknown run", async () => {
    const d = deps(() => complete("never"));
    const orphan = { ...start, runId: `01R${randomSuffix(23).toUpperCase()}` };

    expect(await executeJob(d.deps, orphan, once)).toBe("dropped");

    expect(d.requests).toEqual([]);
    expect(dispatched()).toEqual({ sent: [], timers: [] });
  });

  it.each([
    [COMMIT_ATTEMPTS - 1, "commits after losing"],
    [COMMIT_ATTEMPTS, "throws, to be delivered again, after losing"],
  ])("%i races to transitions that keep the job pending: %s them", async (losses) => {
    const commit = ports.runs.commitTransition.bind(ports.runs);
    let lost = 0;
    ports.runs.commitTransition = async (runId, version, t) => {
      if (t.set.carrier !== undefined && lost < losses) {
        lost++;
        const now = await ports.runs.getRun(runId);
        await commit(runId, now?.version ?? version, { set: {}, at: T0 }); // moves the version on
      }
      return commit(runId, version, t);
    };
    const run = executeJob(deps(() => ops(stepRun("h1", "one"))).deps, start, once);

    if (losses < COMMIT_ATTEMPTS) expect(await run).toBe("applied");
    else await expect(run).rejects.toThrow(`${COMMIT_ATTEMPTS} commits of one answer lost`);
    expect(lost).toBe(losses);
  });

  it("decides again on the fresh state when a transition that keeps the job pending commits first", async () => {
    const d = deps(async () => {
      // A resumed wait commits while this request runs; the job stays pending.
      const fresh = await ports.runs.getRun(run.runId);
      await ports.runs.commitTransition(run.runId, 0, {
        steps: [
          {
            runId: run.runId,
            stepId: "w",
            value: null,
            op: "WaitForEvent",
            attempts: 0,
            at: T0,
            startedAt: T0,
          },
        ],
        set: { stack: ["w"], next: fresh?.next ?? [] },
        at: T0,
      });
      return ops(stepRun("h1", "one"));
    });

    expect(await executeJob(d.deps, start, once)).toBe("applied");

    const state = await ports.runs.getRunState(run.runId);
    expect(state?.run).toMatchObject({ version: 2, stack: ["w", "h1"] });
    expect(state?.steps.map((s) => s.stepId).sort()).toEqual(["h1", "w"]);
  });

  it("drops the answer, storing and dispatching nothing, when another transition ended the job while it ran", async () => {
    const winner = { set: { stack: ["other"], next: [] }, at: T0 };
    const d = deps(async () => {
      // Another transition commits while this one waits for the app, and the job is not pending.
      await ports.runs.commitTransition(run.runId, 0, winner);
      return ops(stepRun("h1", "one"));
    });

    expect(await executeJob(d.deps, start, once)).toBe("stale");

    const state = await ports.runs.getRunState(run.runId);
    expect(state?.run).toMatchObject({ version: 1, stack: ["other"] });
    expect(state?.steps).toEqual([]);
    expect(dispatched()).toEqual({ sent: [], timers: [] });
  });

  it("rejects, dispatching nothing, when the commit fails for any reason but a lost race", async () => {
    const before = await ports.runs.getRunState(run.runId);
    ports.runs.failNextCommit(new Error("TransactionConflict"));

    await expect(executeJob(deps(() => ops(stepRun("h1", "one"))).deps, start, once)).rejects.toThrow(
      "TransactionConflict",
    );

    expect(await ports.runs.getRunState(run.runId)).toEqual(before);
    expect(dispatched()).toEqual({ sent: [], timers: [] });
  });

  it("fails the run, without a request, when its function is not registered", async () => {
    const orphan = makeRun({ fnSlug: "nobody" });
    const job: Job = { ...start, runId: orphan.runId, fnSlug: "nobody", partition: orphan.runId };
    await ports.runs.createRun({ ...orphan, next: [{ job }] });
    const d = deps(() => complete("never"));

    expect(await executeJob(d.deps, job, once)).toBe("applied");

    expect(d.requests).toEqual([]);
    expect(await ports.runs.getRun(orphan.runId)).toMatchObject({
      status: "Failed",
      error: { message: "function nobody is not registered" },
    });
  });

  describe("with a signing key", () => {
    const signed = { signingKeys: [SIGNING_KEY] };

    it("signs the request and accepts a correctly signed answer", async () => {
      const d = deps(() => complete("ok"), signed);

      expect(await executeJob(d.deps, start, once)).toBe("applied");

      expect(d.requests[0]?.headers[HEADERS.signature]).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
      expect(await ports.runs.getRun(run.runId)).toMatchObject({ status: "Completed", output: "ok" });
    });

    it("refuses an unsigned answer as a transport failure and schedules a retry", async () => {
      const d = deps(() => ({ ...complete("ok"), signature: "none" }), signed);

      expect(await executeJob(d.deps, start, once)).toBe("applied");

      const after = await ports.runs.getRun(run.runId);
      expect(after).toMatchObject({ status: "Running", version: 1 });
      const retry = { ...start, attempt: 1, version: 1 };
      expect(after?.next).toMatchObject([{ job: retry }]);
      expect(dispatched().timers).toMatchObject([{ item: { kind: "job", job: retry } }]);
      expect(dispatched().sent).toEqual([]);
    });

    it("accepts an unsigned answer when unsigned responses are allowed", async () => {
      const d = deps(() => ({ ...complete("ok"), signature: "none" }), {
        ...signed,
        allowUnsignedResponses: true,
      });

      expect(await executeJob(d.deps, start, once)).toBe("applied");

      expect(await ports.runs.getRun(run.runId)).toMatchObject({ status: "Completed", output: "ok" });
    });

    it("refuses an answer with a bad signature even when unsigned responses are allowed", async () => {
      const bad = `t=${Math.floor(T0 / 1000)}&s=${"0".repeat(64)}`;
      const d = deps(() => ({ ...complete("ok"), signature: bad }), {
        ...signed,
        allowUnsignedResponses: true,
      });

      expect(await executeJob(d.deps, start, once)).toBe("applied");

      expect(await ports.runs.getRun(run.runId)).toMatchObject({
        status: "Running",
        next: [{ job: { ...start, attempt: 1, version: 1 } }],
      });
    });
  });
});
