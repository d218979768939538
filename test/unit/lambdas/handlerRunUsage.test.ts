/**
 * What the executor and timer handlers record of each job's cost: the job's own calls, in its own
 * run, with its share of the invocation. The wiring and the core's job handlers are stand-ins that
 * make a known number of AWS calls per run (awsCalls.record, as the client middleware does).
 */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { lambdaContext } from "../../../infra/local/lambdaContext.js";
import type { MemoryRunUsageStore } from "../../../shared/adapters/memory/MemoryRunUsageStore.js";
import type { Job, TimerMessage } from "../../../shared/domain/schemas.js";

const h = vi.hoisted(() => ({ store: undefined as MemoryRunUsageStore | undefined }));

/** PutItems a stand-in job makes for its run: "run-<n>" makes n; "fail-<n>" makes n and throws. */
async function work(runId: string): Promise<void> {
  const { awsCalls } = await import("../../../shared/adapters/aws/callCounter.js");
  const n = Number(runId.split("-")[1]);
  for (let i = 0; i < n; i++) {
    // A turn between calls, so the jobs of one batch interleave.
    await new Promise<void>((r) => setImmediate(r));
    awsCalls.record("DynamoDB", "PutItem", { TableName: "runs" });
  }
  if (runId.startsWith("fail")) throw new Error("boom");
}

vi.mock("../../../lambdas/wiring.js", async () => {
  const { MemoryRunUsageStore } = await import("../../../shared/adapters/memory/MemoryRunUsageStore.js");
  h.store = new MemoryRunUsageStore();
  const deps = async () => ({ runUsage: h.store });
  return { executorDeps: deps, timerDeps: deps };
});
vi.mock("../../../shared/core/engine/executeJob.js", () => ({
  executeJob: (_deps: unknown, job: Job) => work(job.runId),
}));
vi.mock("../../../shared/core/timers/handleTimer.js", () => ({
  handleTimer: async (_deps: unknown, message: TimerMessage) => {
    const item = message.item;
    if (item.kind === "job") await work(item.job.runId);
    if (item.kind === "runTimeout") await work(item.runId);
  },
}));

const job = (runId: string): Job => ({
  runId,
  fnSlug: "f",
  stepId: "s",
  attempt: 0,
  version: 1,
  partition: runId,
});

function sqsRecord(id: string, body: unknown): SQSRecord {
  return {
    messageId: id,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: "1", MessageGroupId: id },
  } as unknown as SQSRecord;
}

const usageOf = async (runId: string) => (await h.store?.get([runId]))?.get(runId);

describe("the timer handler's run costs", () => {
  it("gives each job of a batch its own calls, in its own run, and a share of the invocation", async () => {
    const { handler } = await import("../../../lambdas/timer.js");
    const due = { dueAt: 0 };
    const event: SQSEvent = {
      Records: [
        sqsRecord("m1", { item: { kind: "job", job: job("run-3") }, ...due }),
        sqsRecord("m2", { item: { kind: "runTimeout", runId: "run-1", which: "finish" }, ...due }),
        sqsRecord("m3", { item: { kind: "job", job: job("fail-2") }, ...due }),
        sqsRecord("m4", { item: { kind: "sweep" }, ...due }),
      ],
    };
    const result = await handler(event, lambdaContext("timer", 30_000));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m3" }] });
    // Each run: its own PutItems and the write that records them; a quarter of the invocation.
    expect(await usageOf("run-3")).toMatchObject({
      calls: 4,
      jobs: 1,
      usage: { dynamoWru: 4, lambdaRequests: 0.25 },
    });
    expect(await usageOf("run-1")).toMatchObject({
      calls: 2,
      jobs: 1,
      usage: { dynamoWru: 2, lambdaRequests: 0.25 },
    });
    // A failed job's calls count too.
    expect(await usageOf("fail-2")).toMatchObject({ calls: 3, jobs: 1 });
  });
});

describe("the executor handler's run costs", () => {
  it("records each job as a whole invocation of its run", async () => {
    const { handler } = await import("../../../lambdas/executor.js");
    await handler({ Records: [sqsRecord("e1", job("run-5"))] }, lambdaContext("executor", 30_000));

    expect(await usageOf("run-5")).toMatchObject({
      calls: 6,
      jobs: 1,
      usage: { dynamoWru: 6, lambdaRequests: 1 },
    });
  });
});
