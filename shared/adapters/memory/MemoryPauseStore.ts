import { partitionsFor, signalPartition } from "../../domain/pauses.js";
import type { InngestEvent, Pause, PauseRef } from "../../domain/schemas.js";
import type { PauseStore, PauseWrites } from "../../ports/index.js";

/**
 * Pauses by partition, with the per-name list of indexed paths, as the Dynamo store keeps them.
 * MemoryRunStore applies a transition's pause writes here, in the same step as the run's.
 */
export class MemoryPauseStore implements PauseStore {
  private readonly partitions = new Map<string, Map<string, Pause>>();
  private readonly paths = new Map<string, Set<string>>();

  async indexedPaths(eventName: string): Promise<string[]> {
    return [...(this.paths.get(eventName) ?? [])];
  }

  async candidates(event: InngestEvent, paths: readonly string[]): Promise<Pause[]> {
    return partitionsFor(event, paths).flatMap((p) =>
      [...(this.partitions.get(p)?.values() ?? [])].map((x) => structuredClone(x)),
    );
  }

  async forSignal(signal: string): Promise<Pause | undefined> {
    // The newest wait (largest id, as the Dynamo store's descending query).
    const found = [...(this.partitions.get(signalPartition(signal))?.values() ?? [])].sort((a, b) =>
      a.pauseId < b.pauseId ? 1 : -1,
    )[0];
    return found ? structuredClone(found) : undefined;
  }

  /** Whether `ref` is still stored (a consume's condition). */
  has(ref: PauseRef): boolean {
    return this.partitions.get(ref.partition)?.has(ref.pauseId) ?? false;
  }

  /** Applies writes whose conditions were checked by the caller. */
  apply(writes: PauseWrites): void {
    for (const ref of [...(writes.remove ?? []), ...(writes.consume ? [writes.consume] : [])]) {
      this.partitions.get(ref.partition)?.delete(ref.pauseId);
    }
    for (const pause of writes.put ?? []) {
      let part = this.partitions.get(pause.partition);
      if (!part) {
        part = new Map();
        this.partitions.set(pause.partition, part);
      }
      part.set(pause.pauseId, structuredClone(pause));
      if (pause.eventName !== undefined) {
        let set = this.paths.get(pause.eventName);
        if (!set) {
          set = new Set();
          this.paths.set(pause.eventName, set);
        }
        set.add(pause.indexPath ?? "");
      }
    }
  }

  /** Every stored pause (tests). */
  all(): Pause[] {
    return [...this.partitions.values()].flatMap((m) => [...m.values()]).map((p) => structuredClone(p));
  }
}
