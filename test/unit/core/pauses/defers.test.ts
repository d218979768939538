import { beforeEach, describe, expect, it } from "vitest";
import type { FunctionRecord } from "../../../../shared/domain/schemas.js";
import { INTERNAL_EVENTS } from "../../../../shared/protocol/constants.js";
import { complete, ops, stepRun } from "../../../fixtures/sdk.js";
import {
  deferAbortOp,
  deferAddOp,
  named,
  runCompleteOp,
  type Script,
  threw,
  type World,
  world,
} from "./world.js";

let w: World;
let fn: FunctionRecord;

beforeEach(async () => {
  w = await world();
  fn = w.fn("parent", [w.ev("start")], { retries: 0 });
});

async function runWith(script: Script) {
  await w.sync([[fn, script]]);
  const trigger = await w.send({ name: w.ev("start") });
  await w.runJobs();
  return w.runOf(fn, trigger);
}

describe("defer()", () => {
  it("records defers, sends them back to the app, and schedules the ones not aborted when the run finishes", async () => {
    const run = await runWith(({ steps }) => {
      if (!("s1" in steps))
        return ops(
          deferAddOp("d1", "app-mailer", { to: "a@x" }),
          deferAddOp("d2", "app-billing", { amount: 3 }),
          stepRun("s1", 1),
        );
      if (!("s2" in steps)) return ops(deferAbortOp("a2", "d2"), stepRun("s2", 2));
      return complete("done");
    });

    const [first, second, third] = w.requestsOf(fn);
    expect(first?.defers).toEqual({});
    expect(second?.defers).toEqual({ d1: { abortable: true }, d2: { abortable: true } });
    expect(third?.defers).toEqual({ d1: { abortable: true }, d2: { abortable: false } });
    expect(run).toMatchObject({
      status: "Completed",
      defers: {
        d1: { fnSlug: "app-mailer", input: { to: "a@x" } },
        d2: { fnSlug: "app-billing", input: { amount: 3 }, aborted: true },
      },
    });
    const scheduled = named(w.takeStream(), INTERNAL_EVENTS.deferredSchedule);
    expect(scheduled.map((e) => e.event.data)).toEqual([
      {
        to: "a@x",
        _inngest: { fn_slug: "app-mailer", parent_fn_slug: fn.slug, parent_run_id: run.runId },
      },
    ]);
  });

  it("keeps the first recording of a defer the app sends again", async () => {
    const run = await runWith(({ steps }) => {
      if (!("s1" in steps)) return ops(deferAddOp("d1", "app-a", { v: 1 }), stepRun("s1", 1));
      return ops(deferAddOp("d1", "app-a", { v: 2 }), runCompleteOp("done"));
    });

    expect(run.defers).toEqual({ d1: { fnSlug: "app-a", input: { v: 1 } } });
    const [scheduled] = named(w.takeStream(), INTERNAL_EVENTS.deferredSchedule);
    expect(scheduled?.event.data).toMatchObject({ v: 1 });
  });

  it("schedules a defer that rides along the completion itself", async () => {
    const run = await runWith(() => ops(deferAddOp("d1", "app-a", { v: 1 }), runCompleteOp({ ok: true })));

    expect(run).toMatchObject({ status: "Completed", output: { ok: true } });
    const events = w.takeStream();
    expect(named(events, INTERNAL_EVENTS.deferredSchedule)).toHaveLength(1);
    expect(named(events, INTERNAL_EVENTS.functionFinished)).toHaveLength(1);
  });

  it("schedules the defers of a run that fails", async () => {
    const run = await runWith(({ steps }) =>
      "s1" in steps ? threw("boom") : ops(deferAddOp("d1", "app-a", { v: 1 }), stepRun("s1", 1)),
    );

    expect(run.status).toBe("Failed");
    expect(named(w.takeStream(), INTERNAL_EVENTS.deferredSchedule)).toHaveLength(1);
  });

  it("accepts twenty defers and fails the run that records a twenty-first", async () => {
    const adds = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => deferAddOp(`d${from + i}`, "app-a", { i: from + i }));

    const run = await runWith(({ steps }) => {
      if (!("s1" in steps)) return ops(...adds(0, 20), stepRun("s1", 1));
      return ops(...adds(20, 1), stepRun("s2", 2));
    });

    expect(w.requestsOf(fn)).toHaveLength(2);
    expect(run).toMatchObject({
      status: "Failed",
      error: { message: "a run may record at most 20 defers (it sent 21)" },
    });
    expect(Object.keys(run.defers ?? {})).toHaveLength(20);
    expect(await w.ports.runs.getStep(run.runId, "s2")).toBeUndefined();
  });
});
