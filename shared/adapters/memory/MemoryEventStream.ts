import type { AcceptedEvent } from "../../domain/schemas.js";
import type { EventStream } from "../../ports/index.js";

/** The event stream as one ordered list (a single shard). */
export class MemoryEventStream implements EventStream {
  private readonly records: AcceptedEvent[] = [];

  async put(events: AcceptedEvent[]): Promise<void> {
    this.records.push(...structuredClone(events));
  }

  /** Every event put so far, in put order. */
  events(): AcceptedEvent[] {
    return structuredClone(this.records);
  }

  /** Takes every event put so far off the stream (a consumer's read), in put order. */
  take(): AcceptedEvent[] {
    return this.records.splice(0);
  }
}
