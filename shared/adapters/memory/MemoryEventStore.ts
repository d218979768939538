import { checkFilterLists } from "../../domain/listing.js";
import type { StoredEventRecord } from "../../domain/schemas.js";
import type { Clock, EventQuery, EventStore, PageRequest } from "../../ports/index.js";
import { pageAfter } from "./listing.js";

/** The Dynamo store's default retention (30 days, TIDELINE_EVENT_RETENTION_DAYS). */
/** Names of events Inngest itself sends (function.finished, scheduled.timer, ...). */
const INTERNAL_PREFIX = "inngest/";

export const DEFAULT_EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/**
 * Events by internal id. Expiry is computed as the Dynamo store does (whole seconds after
 * `receivedAt`, still readable at the expiry instant), so both agree on the boundary.
 */
export class MemoryEventStore implements EventStore {
  private readonly events = new Map<string, { record: StoredEventRecord; expiresAtMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly retentionSeconds = DEFAULT_EVENT_RETENTION_SECONDS,
  ) {}

  async putEvent(record: StoredEventRecord): Promise<void> {
    const expiresAtMs = (Math.floor(record.receivedAt / 1000) + this.retentionSeconds) * 1000;
    this.events.set(record.internalId, { record: structuredClone(record), expiresAtMs });
  }

  async putEvents(records: StoredEventRecord[]): Promise<void> {
    for (const record of records) await this.putEvent(record);
  }

  async getEvent(internalId: string): Promise<StoredEventRecord | undefined> {
    const stored = this.events.get(internalId);
    if (!stored || stored.expiresAtMs < this.clock.now()) return undefined;
    return structuredClone(stored.record);
  }

  async listEvents(
    query: EventQuery,
    page: PageRequest,
  ): Promise<{ events: StoredEventRecord[]; cursor?: string }> {
    checkFilterLists({ "event names": query.names });
    const now = this.clock.now();
    const matching = [...this.events.values()]
      .filter(({ record: r, expiresAtMs }) => {
        const name = r.event.name;
        return (
          expiresAtMs >= now &&
          r.receivedAt >= query.from &&
          r.receivedAt <= query.until &&
          (!query.names || query.names.includes(name)) &&
          (query.includeInternal === true || !name.startsWith(INTERNAL_PREFIX))
        );
      })
      .map(({ record }) => record);
    const { items, cursor } = pageAfter(
      matching,
      (r) => ({ at: r.receivedAt, id: r.internalId }),
      "desc",
      page,
    );
    return { events: structuredClone(items), ...(cursor ? { cursor } : {}) };
  }
}
