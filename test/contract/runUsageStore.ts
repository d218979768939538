import { beforeEach, describe, expect, it } from "vitest";
import { NO_USAGE, type RunUsage } from "../../shared/domain/awsUsage.js";
import type { RunUsageStore } from "../../shared/ports/runUsage.js";
import { T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";

export interface RunUsageStoreHarness {
  store: RunUsageStore;
}

const job = (wru: number, calls: number, lambdaMs = 10): RunUsage => ({
  usage: { ...NO_USAGE, dynamoWru: wru, dynamoRru: 0.5, sqsFifoRequests: 1, lambdaRequests: 1 },
  calls,
  jobs: 1,
  lambdaMs,
});

/** The RunUsageStore port's contract: per-run totals, added job by job, read many at once. */
export function describeRunUsageStore(name: string, make: () => Promise<RunUsageStoreHarness>): void {
  describe(`RunUsageStore contract: ${name}`, () => {
    let store: RunUsageStore;
    let runId: string;
    beforeEach(async () => {
      ({ store } = await make());
      runId = `run-${randomSuffix()}`;
    });

    it("has nothing for a run that recorded nothing", async () => {
      expect((await store.get([runId])).has(runId)).toBe(false);
    });

    it("adds each job's usage to the run's total, jobs in parallel included", async () => {
      await store.add(runId, job(3, 5), T0);
      await Promise.all([store.add(runId, job(1, 2, 5), T0), store.add(runId, job(2, 4, 5), T0)]);
      const total = (await store.get([runId])).get(runId);
      expect(total).toEqual({
        usage: { ...NO_USAGE, dynamoWru: 6, dynamoRru: 1.5, sqsFifoRequests: 3, lambdaRequests: 3 },
        calls: 11,
        jobs: 3,
        lambdaMs: 20,
      });
    });

    it("reads the totals of many runs at once (over 100, a batch read's limit) and each its own", async () => {
      const ids = Array.from({ length: 130 }, (_, i) => `${runId}-${i}`);
      await Promise.all(ids.map((id, i) => store.add(id, job(i + 1, 1), T0)));
      const totals = await store.get([...ids, `${runId}-absent`, ids[0] as string]);
      expect(totals.size).toBe(130);
      expect(totals.get(ids[129] as string)?.usage.dynamoWru).toBe(130);
      expect(totals.get(ids[7] as string)?.usage.dynamoWru).toBe(8);
    });

    it("reads a run asked for twice in one call (a batch read refuses a key twice)", async () => {
      await store.add(runId, job(1, 1), T0);
      const totals = await store.get([runId, runId]);
      expect([...totals.keys()]).toEqual([runId]);
    });
  });
}
