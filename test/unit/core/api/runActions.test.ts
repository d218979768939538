import { describe, expect, it } from "vitest";
import { memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { cancelRun, rerunRun, sendEvents } from "../../../../shared/core/api/runActions.js";
import { METADATA_MAX_BYTES, recordRunMetadata } from "../../../../shared/core/observability/runMetadata.js";
import { makeApp, makeFunction, makeRun, makeStep, T0 } from "../../../fixtures/records.js";

async function setup() {
  const ports = memoryPorts();
  ports.clock.set(T0);
  const fn = makeFunction("app", "fn", ["app/go"]);
  await ports.registry.putAppSync(makeApp("app", [fn]), [fn]);
  const run = makeRun({ fnSlug: fn.slug, appId: "app" });
  await ports.runs.createRun(run);
  return { ports, fn, run };
}

describe("run actions", () => {
  it("cancels a Running run: status Cancelled, nothing pending, and its next job is then stale", async () => {
    const { ports, run } = await setup();
    await ports.runs.commitTransition(run.runId, 0, {
      set: {
        next: [
          {
            job: {
              runId: run.runId,
              fnSlug: run.fnSlug,
              stepId: "step",
              attempt: 0,
              version: 1,
              partition: run.runId,
            },
          },
        ],
      },
      at: T0,
    });
    const cancelled = await cancelRun(ports, run.runId);
    expect(cancelled).toMatchObject({ status: "Cancelled", endedAt: T0, next: [] });
    expect(await ports.runs.getRun(run.runId)).toMatchObject({ status: "Cancelled", version: 2, next: [] });
  });

  it("returns a run that already ended unchanged, and 404 for an unknown run", async () => {
    const { ports, run } = await setup();
    await ports.runs.commitTransition(run.runId, 0, {
      set: { status: "Completed", endedAt: T0, output: 1 },
      at: T0,
    });
    expect((await cancelRun(ports, run.runId)).status).toBe("Completed");
    await expect(cancelRun(ports, makeRun().runId)).rejects.toMatchObject({ status: 404 });
  });

  it("reruns a run from the start: a new run with the same events and its start job queued", async () => {
    const { ports, run } = await setup();
    const newId = await rerunRun(ports, run.runId);
    expect(newId).not.toBe(run.runId);
    const fresh = await ports.runs.getRun(newId);
    expect(fresh).toMatchObject({
      status: "Running",
      fnSlug: run.fnSlug,
      events: run.events,
      stack: [],
      version: 0,
    });
    expect(ports.work.receive().map((q) => q.job)).toEqual([
      expect.objectContaining({ runId: newId, stepId: "step", version: 0, attempt: 0 }),
    ]);
  });

  it("reruns through flow control: a singleton's rerun while the holder runs is Skipped", async () => {
    const ports = memoryPorts();
    ports.clock.set(T0);
    const fn = makeFunction("app", "one", ["app/go"], { config: { id: "one", singleton: { mode: "skip" } } });
    await ports.registry.putAppSync(makeApp("app", [fn]), [fn]);
    const source = makeRun({ fnSlug: fn.slug, appId: "app", status: "Completed" });
    await ports.runs.createRun(source);
    const first = await rerunRun(ports, source.runId);
    expect((await ports.runs.getRun(first))?.status).toBe("Running");
    const second = await rerunRun(ports, source.runId);
    expect(await ports.runs.getRun(second)).toMatchObject({
      status: "Skipped",
      skipped: { reason: "singleton", holder: first },
    });
  });

  it("reruns from a step: keeps the results of the steps before it and resumes there", async () => {
    const { ports, run } = await setup();
    await ports.runs.commitTransition(run.runId, 0, {
      steps: [makeStep(run.runId, "a"), makeStep(run.runId, "b"), makeStep(run.runId, "c")],
      set: { stack: ["a", "b", "c"], status: "Completed", endedAt: T0, output: 1 },
      at: T0,
    });
    const newId = await rerunRun(ports, run.runId, { fromStepId: "b" });
    const state = await ports.runs.getRunState(newId);
    expect(state?.run).toMatchObject({ stack: ["a"], version: 1, status: "Running" });
    expect(state?.steps.map((s) => [s.stepId, s.runId])).toEqual([["a", newId]]);
    expect(ports.work.receive().map((q) => q.job)).toEqual([
      expect.objectContaining({ runId: newId, version: 1 }),
    ]);
    await expect(rerunRun(ports, run.runId, { fromStepId: "zzz" })).rejects.toMatchObject({ status: 400 });
  });

  it("sends events through the Event API's validation onto the stream", async () => {
    const { ports } = await setup();
    const ids = await sendEvents(ports, JSON.stringify([{ name: "app/go", data: { a: 1 } }]));
    expect(ids).toHaveLength(1);
    expect(ports.stream.events().map((e) => e.event.name)).toEqual(["app/go"]);
    await expect(sendEvents(ports, "{")).rejects.toMatchObject({ status: 400 });
  });
});

describe("run metadata through the API", () => {
  const body = (runId: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      target: { run_id: runId, ...extra },
      metadata: [{ kind: "inngest.score", op: "set", values: { acc: 1 } }],
    });

  it("stores metadata for the run, a step or an attempt with the scope the target implies", async () => {
    const { ports, run } = await setup();
    await recordRunMetadata(ports, run.runId, body(run.runId));
    await recordRunMetadata(ports, run.runId, body(run.runId, { step_id: "h1" }));
    await recordRunMetadata(ports, run.runId, body(run.runId, { step_id: "h1", step_attempt: 2 }));
    const history = await ports.runs.getRunHistory(run.runId);
    expect(history?.metadata.map((m) => [m.stepId, m.attempt, m.entry.scope])).toEqual([
      [undefined, undefined, "run"],
      ["h1", undefined, "step"],
      ["h1", 2, "step_attempt"],
    ]);
  });

  it("refuses bad bodies, a mismatched run id, an unknown run and oversized bodies", async () => {
    const { ports, run } = await setup();
    await expect(recordRunMetadata(ports, run.runId, "{}")).rejects.toMatchObject({ status: 400 });
    await expect(recordRunMetadata(ports, run.runId, body("01OTHER"))).rejects.toMatchObject({ status: 400 });
    const unknown = makeRun().runId;
    await expect(recordRunMetadata(ports, unknown, body(unknown))).rejects.toMatchObject({ status: 404 });
    const big = JSON.stringify({
      target: { run_id: run.runId },
      metadata: [{ kind: "k", values: { x: "y".repeat(70_000) } }],
    });
    await expect(recordRunMetadata(ports, run.runId, big)).rejects.toMatchObject({ status: 413 });
  });

  it("accepts a body of exactly 64 KiB and refuses one byte more with a 413", async () => {
    const { ports, run } = await setup();
    const sized = (bytes: number) => {
      const shell = (fill: string) =>
        JSON.stringify({
          target: { run_id: run.runId },
          metadata: [{ kind: "k", op: "set", values: { x: fill } }],
        });
      return shell("y".repeat(bytes - shell("").length));
    };
    expect(Buffer.byteLength(sized(METADATA_MAX_BYTES))).toBe(METADATA_MAX_BYTES);
    await expect(recordRunMetadata(ports, run.runId, sized(METADATA_MAX_BYTES))).resolves.toEqual({
      records: 1,
    });
    await expect(recordRunMetadata(ports, run.runId, sized(METADATA_MAX_BYTES + 1))).rejects.toMatchObject({
      status: 413,
    });
  });

  it("takes 1 to 100 entries with kinds of up to 256 characters, and refuses more", async () => {
    const { ports, run } = await setup();
    const body = (entries: number, kind = "k") =>
      JSON.stringify({
        target: { run_id: run.runId },
        metadata: Array.from({ length: entries }, () => ({ kind, op: "set", values: { a: 1 } })),
      });
    await expect(recordRunMetadata(ports, run.runId, body(100))).resolves.toEqual({ records: 100 });
    await expect(recordRunMetadata(ports, run.runId, body(101))).rejects.toMatchObject({ status: 400 });
    await expect(recordRunMetadata(ports, run.runId, body(0))).rejects.toMatchObject({ status: 400 });
    await expect(recordRunMetadata(ports, run.runId, body(1, "k".repeat(256)))).resolves.toEqual({
      records: 1,
    });
    await expect(recordRunMetadata(ports, run.runId, body(1, "k".repeat(257)))).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe("cancel against a run that keeps moving", () => {
  /** A store whose next `losses` commits lose their race (another transition won). */
  async function racing(losses: number) {
    const { ports, run } = await setup();
    const commit = ports.runs.commitTransition.bind(ports.runs);
    let left = losses;
    ports.runs.commitTransition = async (id, version, t) => {
      if (left-- > 0) return false;
      return commit(id, version, t);
    };
    return { ports, run };
  }

  it("tries again after each lost race, up to ten times", async () => {
    const { ports, run } = await racing(9);
    expect((await cancelRun(ports, run.runId)).status).toBe("Cancelled");
    expect((await ports.runs.getRun(run.runId))?.status).toBe("Cancelled");
  });

  it("gives up with an error after ten lost races, leaving the run as it was", async () => {
    const { ports, run } = await racing(10);
    await expect(cancelRun(ports, run.runId)).rejects.toThrow(/kept losing/);
    expect((await ports.runs.getRun(run.runId))?.status).toBe("Running");
  });
});
