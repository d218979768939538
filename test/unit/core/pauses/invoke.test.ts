import { beforeEach, describe, expect, it } from "vitest";
import { cancelRun } from "../../../../shared/core/runs/cancel.js";
import type { Json } from "../../../../shared/domain/json.js";
import type { AcceptedEvent, FunctionRecord, RunRecord } from "../../../../shared/domain/schemas.js";
import { INTERNAL_EVENTS } from "../../../../shared/protocol/constants.js";
import { T0 } from "../../../fixtures/records.js";
import { complete, ops, type SdkReply } from "../../../fixtures/sdk.js";
import { type Call, expectIdle, HOUR, invokeOp, named, one, type World, world } from "./world.js";

let w: World;
let parent: FunctionRecord;
/** Triggered by an event nobody sends: only an invoke starts it. */
let child: FunctionRecord;
/** What the child answers. */
let childAnswer: (call: Call) => SdkReply;
/** The function the parent invokes and the invoke's timeout. */
let target: string;
let invokeTimeout: string | undefined;

beforeEach(async () => {
  w = await world();
  parent = w.fn("parent", [w.ev("start")]);
  child = w.fn("child", [w.ev("never-sent")], {
    retries: 0,
    triggers: [{ event: w.ev("never-sent"), expression: "event.data.never == true" }],
  });
  childAnswer = ({ event }) => complete({ doubled: Number((event.data as { n: number }).n) * 2 });
  target = child.slug;
  invokeTimeout = "1h";
  await w.sync([
    [
      parent,
      ({ steps }) =>
        "i1" in steps
          ? complete({ got: steps.i1 ?? null })
          : ops(
              invokeOp("i1", {
                function_id: target,
                payload: { data: { n: 21 }, user: { id: "u1" } },
                ...(invokeTimeout !== undefined ? { timeout: invokeTimeout } : {}),
              }),
            ),
    ],
    [child, (call) => childAnswer(call)],
  ]);
});

/** Starts the parent and lets it reach its invoke. */
async function invoking(): Promise<{ run: RunRecord; invoked: AcceptedEvent[] }> {
  const trigger = await w.send({ name: w.ev("start") });
  expect(await w.runJobs()).toEqual(["applied"]);
  return { run: await w.runOf(parent, trigger), invoked: w.takeStream() };
}

describe("step.invoke", () => {
  it("waits on the child's function.finished, indexed by the correlation id, and emits function.invoked", async () => {
    const { run, invoked } = await invoking();

    expectIdle(w, run);
    const correlation = `${run.runId}.i1`;
    expect(w.ports.pauses.all()).toMatchObject([
      {
        kind: "invoke",
        stepId: "i1",
        eventName: INTERNAL_EVENTS.functionFinished,
        partition: `EVT#${INTERNAL_EVENTS.functionFinished}#data.correlation_id#s:${correlation}`,
        indexPath: "data.correlation_id",
        expiresAt: T0 + HOUR,
      },
    ]);
    expect(invoked).toHaveLength(1);
    expect(invoked[0]?.event).toMatchObject({
      name: INTERNAL_EVENTS.functionInvoked,
      user: { id: "u1" },
      data: {
        n: 21,
        _inngest: {
          fn_id: child.slug,
          correlation_id: correlation,
          source_run_id: run.runId,
          source_fn_id: parent.slug,
        },
      },
    });
    expect(w.ports.timers.pending()).toMatchObject([
      { item: { kind: "pauseTimeout", runId: run.runId }, dueAt: T0 + HOUR },
    ]);
  });

  it("starts the child whatever its triggers, and resumes the parent with {data: result} when it finishes", async () => {
    const { run, invoked } = await invoking();

    await w.deliver(one(invoked));
    const childRuns = await w.ports.runs.listRunsForEvent(one(invoked).internalId);
    expect(childRuns.map((r) => r.fnSlug)).toEqual([child.slug]);

    const streamed = await w.settle();

    const [finished] = named(streamed, INTERNAL_EVENTS.functionFinished).filter(
      (e) => e.event.data.run_id === childRuns[0]?.runId,
    );
    expect(finished?.event.data).toMatchObject({
      correlation_id: `${run.runId}.i1`,
      result: { doubled: 42 },
      _inngest: { status: "Completed" },
    });
    expect(await w.ports.runs.getStep(run.runId, "i1")).toMatchObject({
      value: { data: { doubled: 42 } },
      op: "InvokeFunction",
    });
    expect(await w.run(run.runId)).toMatchObject({
      status: "Completed",
      output: { got: { data: { doubled: 42 } } },
    });
    expect(w.ports.pauses.all()).toEqual([]);
  });

  it("resumes the parent with {error} when the child fails", async () => {
    childAnswer = () => ({ status: 500, body: { name: "TypeError", message: "child broke" } });
    const { run, invoked } = await invoking();

    await w.deliver(one(invoked));
    await w.settle();

    const value = (await w.ports.runs.getStep(run.runId, "i1"))?.value as { error?: Json; data?: Json };
    expect(value).toEqual({ error: expect.objectContaining({ name: "TypeError", message: "child broke" }) });
    expect(value).not.toHaveProperty("data");
    expect((await w.run(run.runId)).status).toBe("Completed");
  });

  it("fails the step with 'invoked function is rate limited' when the child's rate limit skips it", async () => {
    const parentScript = ({ steps }: Call) =>
      "i1" in steps
        ? complete({ got: steps.i1 ?? null })
        : ops(invokeOp("i1", { function_id: target, payload: { data: { n: 21 } }, timeout: "1h" }));
    const limited = { ...child, config: { ...child.config, rateLimit: { limit: 1, period: "1h" } } };
    await w.sync([
      [parent, parentScript],
      [limited, (call) => childAnswer(call)],
    ]);
    const first = await invoking();
    await w.deliver(one(first.invoked));
    await w.settle();
    const second = await invoking();
    await w.deliver(one(second.invoked));
    const [skipped] = await w.ports.runs.listRunsForEvent(one(second.invoked).internalId);
    expect(skipped).toMatchObject({ status: "Skipped", skipped: { reason: "rateLimit" } });
    await w.settle();

    expect((await w.ports.runs.getStep(first.run.runId, "i1"))?.value).toEqual({ data: { doubled: 42 } });
    expect(await w.ports.runs.getStep(second.run.runId, "i1")).toMatchObject({
      value: { error: { name: "Error", message: "invoked function is rate limited" } },
    });
    expect((await w.run(second.run.runId)).status).toBe("Completed");
  });

  it("resumes the parent with a 'function cancelled' error when the child is cancelled", async () => {
    const { run, invoked } = await invoking();
    await w.deliver(one(invoked));
    const [childRun] = await w.ports.runs.listRunsForEvent(one(invoked).internalId);

    await cancelRun(w.deps, childRun?.runId ?? "", "api");
    await w.settle();

    expect(await w.ports.runs.getStep(run.runId, "i1")).toMatchObject({
      value: { error: { name: "Error", message: "function cancelled" } },
    });
    expect(w.requestsOf(child)).toEqual([]);
  });

  it("fails the step at once when the function is unknown: no pause, no event, the run goes on", async () => {
    target = "x";
    const trigger = await w.send({ name: w.ev("start") });
    expect(await w.executeNext()).toBe("applied");
    const run = await w.runOf(parent, trigger);

    expect(w.takeStream()).toEqual([]);
    expect(w.ports.pauses.all()).toEqual([]);
    expect(await w.ports.runs.getStep(run.runId, "i1")).toMatchObject({
      value: { error: { name: "Error", message: "could not find function with ID: x" } },
    });
    expect(run.next).toHaveLength(1);
    expect(await w.runJobs()).toEqual(["applied"]);
    expect(await w.run(run.runId)).toMatchObject({
      status: "Completed",
      output: { got: { error: { message: "could not find function with ID: x" } } },
    });
  });

  it("resumes the parent with InngestInvokeTimeoutError when the child does not finish in time", async () => {
    const { run, invoked } = await invoking();
    await w.deliver(one(invoked)); // the child starts but its job never runs

    w.ports.clock.set(T0 + HOUR);
    await w.fireDueTimers();

    expect(await w.ports.runs.getStep(run.runId, "i1")).toMatchObject({
      value: { error: { name: "InngestInvokeTimeoutError" } },
    });
    // The child finishing late changes nothing for the parent.
    await w.settle();
    expect(await w.run(run.runId)).toMatchObject({
      status: "Completed",
      output: { got: { error: { name: "InngestInvokeTimeoutError" } } },
      version: 3,
    });
  });

  it("defaults the invoke's expiry to a year when the op gives no timeout", async () => {
    invokeTimeout = undefined;
    const { run } = await invoking();

    expect(run.pauses?.[0]?.expiresAt).toBe(T0 + 365 * 24 * HOUR);
  });
});
