import { beforeEach, describe, expect, it } from "vitest";
import { type Job, jobId } from "../../shared/domain/schemas.js";
import type { WorkQueue } from "../../shared/ports/index.js";
import { makeJob } from "../fixtures/jobs.js";
import { randomSuffix } from "../helpers/randomSuffix.js";
import { type QueuedJob, takeUntil, type WorkQueueProbe } from "./probes.js";

export interface WorkQueueHarness {
  queue: WorkQueue;
  probe: WorkQueueProbe;
}

const isJob = (job: Job) => (q: QueuedJob) => q.dedupId === jobId(job) && q.group === job.partition;

/**
 * The WorkQueue port's contract: FIFO by partition, deduplicated by job id. Duplicates are checked
 * with a sentinel sent last to the same group: FIFO order means every copy that exists arrives
 * before it, so no test waits for something that should not come. (SQS drops a duplicate for five
 * minutes; moto only while the first copy is queued, so only that is asserted.)
 */
export function describeWorkQueue(name: string, make: () => Promise<WorkQueueHarness>): void {
  describe(`WorkQueue contract: ${name}`, () => {
    let h: WorkQueueHarness;
    let run: string;
    beforeEach(async () => {
      h = await make();
      run = `run-${randomSuffix()}`;
    });

    it("sends each job with its partition as message group and its job id as deduplication id", async () => {
      const jobs = Array.from({ length: 12 }, (_, i) =>
        makeJob({ runId: `${run}-${i}`, partition: `${run}-${i}` }),
      );
      await h.queue.send(jobs);
      const taken = await takeUntil(h.probe, (t) => jobs.every((j) => t.some(isJob(j))), "12 jobs");
      for (const job of jobs) {
        expect(taken.filter(isJob(job))).toEqual([{ job, group: job.partition, dedupId: jobId(job) }]);
      }
    });

    it("keeps one message when the same job is sent again while the first is still queued", async () => {
      const dup = makeJob({ runId: run, partition: run });
      const sentinel = makeJob({ runId: run, partition: run, stepId: "sentinel" });
      await h.queue.send([dup]);
      await h.queue.send([dup]);
      await h.queue.send([sentinel]);
      const taken = await takeUntil(h.probe, (t) => t.some(isJob(sentinel)), "the sentinel");
      expect(taken.filter(isJob(dup))).toHaveLength(1);
    });

    it("keeps the order of a partition's jobs across batches", async () => {
      const jobs = Array.from({ length: 15 }, (_, i) =>
        makeJob({ runId: run, partition: run, stepId: `s${i}`, version: i }),
      );
      await h.queue.send(jobs);
      const taken = await takeUntil(
        h.probe,
        (t) => t.filter((q) => q.group === run).length >= jobs.length,
        "15 jobs of one partition",
      );
      expect(taken.filter((q) => q.group === run).map((q) => q.job)).toEqual(jobs);
    });

    it("keeps the order of a partition's jobs sent one call after another", async () => {
      const jobs = Array.from({ length: 3 }, (_, i) => makeJob({ runId: run, partition: run, version: i }));
      for (const job of jobs) await h.queue.send([job]);
      const taken = await takeUntil(h.probe, (t) => t.filter((q) => q.group === run).length >= 3, "3 jobs");
      expect(taken.filter((q) => q.group === run).map((q) => q.job)).toEqual(jobs);
    });

    it("sends nothing for an empty list", async () => {
      await h.queue.send([]);
      const sentinel = makeJob({ runId: run, partition: run, stepId: "sentinel" });
      await h.queue.send([sentinel]);
      const taken = await takeUntil(h.probe, (t) => t.some(isJob(sentinel)), "the sentinel");
      expect(taken.filter((q) => q.group === run)).toEqual([
        { job: sentinel, group: run, dedupId: jobId(sentinel) },
      ]);
    });
  });
}
