/**
 * Measures what a job costs its run: the AWS calls made while it ran (priced by their billed
 * units), its share of the Lambda invocation and duration, and the one write that records it.
 * Recording is best effort: a failed write loses that job's figures, never the job.
 */
import { awsCalls } from "../shared/adapters/aws/callCounter.js";
import { addUsage, gbSeconds } from "../shared/domain/awsUsage.js";
import type { TimerItem } from "../shared/domain/schemas.js";
import type { RunUsageStore } from "../shared/ports/runUsage.js";
import { logger } from "./middleware.js";

export interface JobShare {
  /** The function's memory (what its duration is billed at). */
  memoryMb: number;
  /** This job's share of the invocation (1 / the batch's size for a batched handler). */
  share: number;
}

/** The run a timer item acts on, whose cost it adds to (crons, flushes and sweeps belong to none). */
export function runOfTimer(item: TimerItem): string | undefined {
  if (item.kind === "job") return item.job.runId;
  if (item.kind === "pauseTimeout" || item.kind === "runTimeout") return item.runId;
  return undefined;
}

/** The configured memory on Lambda (the runtime sets it), else the manifest's. */
export function memoryOf(manifestMb: number): number {
  return Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || manifestMb;
}

/** Runs one job of `runId` and adds what it used to the run's total (none: runs `fn` alone). */
export async function measuredForRun<T>(
  store: RunUsageStore | undefined,
  runId: string | undefined,
  job: JobShare,
  fn: () => Promise<T>,
): Promise<T> {
  if (store === undefined || runId === undefined) return fn();
  const started = Date.now();
  const { tally, result } = await awsCalls.tally(fn);
  const ms = (Date.now() - started) * job.share;
  const usage = addUsage(tally.usage, {
    // The UpdateItem that records this.
    dynamoWru: 1,
    lambdaRequests: job.share,
    lambdaGbSeconds: gbSeconds(ms, job.memoryMb),
  });
  try {
    await store.add(runId, { usage, calls: tally.calls + 1, jobs: 1, lambdaMs: ms }, Date.now());
  } catch (err) {
    logger.warn("run usage not recorded", { runId, error: (err as Error).message });
  }
  if (result.status === "rejected") throw result.reason;
  return result.value;
}
