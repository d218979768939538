import { type Job, jobDedupId } from "../../domain/schemas.js";
import type { WorkQueue } from "../../ports/index.js";

/** A job as the FIFO queue holds it: the body, its message group and its deduplication id. */
export interface QueuedJob {
  job: Job;
  group: string;
  dedupId: string;
}

/**
 * The FIFO work queue as a list. MessageGroupId = job.partition, dedup id = jobDedupId(job), and a job
 * whose dedup id is still queued in its group is dropped. (SQS also drops it for five minutes after
 * it was received; that window is left out so tests can see a job sent again after a drain.)
 * `sent()` keeps every job ever passed to send, duplicates included.
 */
export class MemoryWorkQueue implements WorkQueue {
  private readonly queued: QueuedJob[] = [];
  private readonly log: Job[] = [];
  private sendFailure: Error | undefined;

  /** The next send throws `error` and queues nothing (an SQS outage, a crash before the send). */
  failNextSend(error: Error = new Error("injected send failure")): void {
    this.sendFailure = error;
  }

  async send(jobs: Job[]): Promise<void> {
    const failure = this.sendFailure;
    if (failure) {
      this.sendFailure = undefined;
      throw failure;
    }
    for (const job of jobs) {
      this.log.push(structuredClone(job));
      const dedupId = jobDedupId(job);
      if (this.queued.some((q) => q.group === job.partition && q.dedupId === dedupId)) continue;
      this.queued.push({ job: structuredClone(job), group: job.partition, dedupId });
    }
  }

  /** Takes up to `max` queued jobs off the queue, oldest first. */
  receive(max = 10): QueuedJob[] {
    return this.queued.splice(0, Math.max(0, max));
  }

  /** Takes every queued job off the queue, oldest first. */
  drain(): QueuedJob[] {
    return this.queued.splice(0);
  }

  /** The queued jobs, oldest first, left on the queue. */
  peek(): QueuedJob[] {
    return structuredClone(this.queued);
  }

  /** Every job passed to send so far, in order, duplicates included. */
  sent(): Job[] {
    return structuredClone(this.log);
  }
}
