import { addRunUsage, NO_RUN_USAGE, type RunUsage } from "../../domain/awsUsage.js";
import type { RunUsageStore } from "../../ports/runUsage.js";

/** Run usage totals in memory (tests). */
export class MemoryRunUsageStore implements RunUsageStore {
  private readonly totals = new Map<string, RunUsage>();

  async add(runId: string, usage: RunUsage, _at?: number): Promise<void> {
    this.totals.set(runId, addRunUsage(this.totals.get(runId) ?? NO_RUN_USAGE, usage));
  }

  async get(runIds: readonly string[]): Promise<Map<string, RunUsage>> {
    return new Map(
      runIds.flatMap((id) => (this.totals.has(id) ? [[id, this.totals.get(id) as RunUsage]] : [])),
    );
  }
}
