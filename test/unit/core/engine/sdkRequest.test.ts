/** The execution request body: checkpointing fields, plan-only, and the switch to use_api past 4 MiB. */
import { describe, expect, it } from "vitest";
import { buildSdkRequest } from "../../../../shared/core/engine/sdkRequest.js";
import { jsonBytes } from "../../../../shared/domain/json.js";
import { type Job, jobId, type RunRecord, type StepRecord } from "../../../../shared/domain/schemas.js";
import { LIMITS } from "../../../../shared/protocol/constants.js";
import { filler, makeFunction, makeRun, makeStep } from "../../../fixtures/records.js";

const fn = makeFunction("app", "fn");
const run = makeRun({ stack: ["big"] });
const job: Job = {
  runId: run.runId,
  fnSlug: fn.slug,
  stepId: "step",
  attempt: 0,
  version: 3,
  partition: run.runId,
};

type Body = {
  ctx: Record<string, unknown>;
  events: unknown[];
  event: unknown;
  steps: Record<string, unknown>;
  use_api: boolean;
};

/**
 * A run with one stored step, padded so the inline request body is exactly `bytes` long (the
 * filler is ASCII: one byte per character), with or without the run's count of stored output.
 */
function sized(bytes: number, withCount: boolean): { run: RunRecord; steps: StepRecord[] } {
  const probe = jsonBytes(buildSdkRequest(run, [makeStep(run.runId, "big", { data: "" })], job, fn));
  const steps = [makeStep(run.runId, "big", { data: filler(bytes - probe) })];
  return { run: withCount ? { ...run, stateBytes: jsonBytes(steps[0]?.value) } : run, steps };
}

describe("the execution request", () => {
  it("offers checkpointing with the function's internal id and the job's id, and plans only when asked", () => {
    const steps: StepRecord[] = [];
    const offered = buildSdkRequest(run, steps, job, fn, { checkpoint: true, planOnly: true }) as Body;
    expect(offered.ctx).toMatchObject({
      fn_id: fn.internalId,
      qi_id: jobId(job),
      disable_immediate_execution: true,
    });
    const classic = buildSdkRequest(run, steps, job, fn, { checkpoint: false, planOnly: false }) as Body;
    expect(classic.ctx).not.toHaveProperty("fn_id");
    expect(classic.ctx).not.toHaveProperty("qi_id");
    expect(classic.ctx.disable_immediate_execution).toBe(false);
  });

  it.each([
    ["without", false],
    ["with", true],
  ])("sends exactly 4 MiB inline and a byte more with use_api (%s the run's state count)", (_, counted) => {
    const at = sized(LIMITS.sdkRequestMaxBytes, counted);
    const inline = buildSdkRequest(at.run, at.steps, job, fn) as Body;
    expect(jsonBytes(inline)).toBe(LIMITS.sdkRequestMaxBytes);
    expect(inline.use_api).toBe(false);
    expect(Object.keys(inline.steps)).toEqual(["big"]);

    const over = sized(LIMITS.sdkRequestMaxBytes + 1, counted);
    const api = buildSdkRequest(over.run, over.steps, job, fn) as Body;
    expect(api).toMatchObject({ use_api: true, ctx: { use_api: true }, events: [], steps: {} });
    expect(api.event).toEqual(run.events[0]);
  });
});
