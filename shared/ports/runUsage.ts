/**
 * What each run used on AWS, added up job by job. The handlers measure a job's calls and Lambda
 * time and add them here; the API prices them (core/observability/awsCost.ts).
 */
import type { RunUsage } from "../domain/awsUsage.js";

export interface RunUsageStore {
  /** Adds one job's usage to the run's total (`at`: when, epoch ms; it moves the total's expiry on). */
  add(runId: string, usage: RunUsage, at: number): Promise<void>;
  /** The totals of these runs; a run with nothing recorded is absent. */
  get(runIds: readonly string[]): Promise<Map<string, RunUsage>>;
}
