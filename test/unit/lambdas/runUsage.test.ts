/** What a job adds to its run's cost (lambdas/runUsage.ts), over the memory usage store. */
import { describe, expect, it, vi } from "vitest";
import { measuredForRun, memoryOf, runOfTimer } from "../../../lambdas/runUsage.js";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { MemoryRunUsageStore } from "../../../shared/adapters/memory/MemoryRunUsageStore.js";
import type { RunUsageStore } from "../../../shared/ports/runUsage.js";

const JOB = { memoryMb: 1024, share: 1 };

describe("measuredForRun", () => {
  it("adds the job's calls, its Lambda request and the recording write to the run", async () => {
    const store = new MemoryRunUsageStore();
    const result = await measuredForRun(store, "run-1", JOB, async () => {
      awsCalls.record("DynamoDB", "TransactWriteItems", { TransactItems: [{}, {}] });
      awsCalls.record("SQS", "SendMessage", { QueueUrl: "q.fifo" });
      return 42;
    });
    expect(result).toBe(42);
    const total = (await store.get(["run-1"])).get("run-1");
    // 2 items in a transaction (4 WRU) and the UpdateItem that records it (1 WRU).
    expect(total).toMatchObject({
      calls: 3,
      jobs: 1,
      usage: { dynamoWru: 5, sqsFifoRequests: 1, lambdaRequests: 1 },
    });
    expect(total?.usage.lambdaGbSeconds).toBeCloseTo(((total?.lambdaMs ?? 0) / 1000) * 1, 9);
  });

  it("splits a batched invocation's request and duration by the job's share", async () => {
    const store = new MemoryRunUsageStore();
    await measuredForRun(store, "run-1", { memoryMb: 512, share: 0.25 }, async () => undefined);
    expect((await store.get(["run-1"])).get("run-1")?.usage.lambdaRequests).toBe(0.25);
  });

  it("bills a batched job its share of the invocation's duration, at the function's memory", async () => {
    const store = new MemoryRunUsageStore();
    // The job runs 400 ms; a quarter of it is this job's.
    const now = vi.spyOn(Date, "now").mockReturnValueOnce(10_000).mockReturnValueOnce(10_400);
    try {
      await measuredForRun(store, "run-1", { memoryMb: 512, share: 0.25 }, async () => undefined);
    } finally {
      now.mockRestore();
    }
    const total = (await store.get(["run-1"])).get("run-1");
    expect(total?.lambdaMs).toBe(100);
    expect(total?.usage.lambdaGbSeconds).toBeCloseTo(0.1 * 0.5, 12);
  });

  it("keeps the calls of jobs running at once (a timer batch) apart, each in its own run", async () => {
    const store = new MemoryRunUsageStore();
    const tick = () => new Promise<void>((r) => setImmediate(r));
    const job = (runId: string, puts: number) =>
      measuredForRun(store, runId, { memoryMb: 512, share: 0.5 }, async () => {
        for (let i = 0; i < puts; i++) {
          await tick();
          awsCalls.record("DynamoDB", "PutItem", { TableName: "t" });
        }
      });
    await Promise.all([job("run-a", 3), job("run-b", 1)]);
    const totals = await store.get(["run-a", "run-b"]);
    // Each its own PutItems plus the write that records it.
    expect(totals.get("run-a")).toMatchObject({ calls: 4, usage: { dynamoWru: 4 } });
    expect(totals.get("run-b")).toMatchObject({ calls: 2, usage: { dynamoWru: 2 } });
  });

  it("records a failed job's calls too, and rethrows its error", async () => {
    const store = new MemoryRunUsageStore();
    const failing = measuredForRun(store, "run-1", JOB, async () => {
      awsCalls.record("DynamoDB", "GetItem", {});
      throw new Error("boom");
    });
    await expect(failing).rejects.toThrow("boom");
    expect((await store.get(["run-1"])).get("run-1")?.calls).toBe(2);
  });

  it("never fails the job when the usage cannot be written", async () => {
    const broken: RunUsageStore = {
      add: async () => {
        throw new Error("throttled");
      },
      get: async () => new Map(),
    };
    await expect(measuredForRun(broken, "run-1", JOB, async () => "done")).resolves.toBe("done");
  });

  it("records nothing without a run or without a store (runCosts off)", async () => {
    const store = new MemoryRunUsageStore();
    await measuredForRun(store, undefined, JOB, async () => awsCalls.record("S3", "PutObject", {}));
    await expect(measuredForRun(undefined, "run-1", JOB, async () => 7)).resolves.toBe(7);
    expect((await store.get(["run-1"])).size).toBe(0);
  });
});

describe("runOfTimer", () => {
  it("names the run of a job, a wait's timeout and a run timeout, and no run for the others", () => {
    const job = { runId: "r1", fnSlug: "f", stepId: "s", attempt: 0, version: 1, partition: "r1" };
    expect(runOfTimer({ kind: "job", job })).toBe("r1");
    expect(runOfTimer({ kind: "runTimeout", runId: "r2", which: "finish" })).toBe("r2");
    expect(
      runOfTimer({
        kind: "pauseTimeout",
        runId: "r3",
        pause: { id: "p", event: "e", expiresAt: 1 } as never,
      }),
    ).toBe("r3");
    expect(runOfTimer({ kind: "sweep" })).toBeUndefined();
    expect(runOfTimer({ kind: "cron", fnSlug: "f", cron: "* * * * *" })).toBeUndefined();
  });
});

describe("memoryOf", () => {
  it("takes Lambda's configured memory, else the manifest's", () => {
    const before = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
    try {
      delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
      expect(memoryOf(512)).toBe(512);
      process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = "2048";
      expect(memoryOf(512)).toBe(2048);
    } finally {
      if (before === undefined) delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
      else process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = before;
    }
  });
});
