import type { CancellationRecord, CancellationStore, PageRequest } from "../../ports/index.js";

/** Bulk cancellations in a map, listed newest first by id as the Dynamo store's descending query. */
export class MemoryCancellationStore implements CancellationStore {
  private readonly records = new Map<string, CancellationRecord>();

  async put(record: CancellationRecord): Promise<void> {
    this.records.set(record.id, structuredClone(record));
  }

  async get(id: string): Promise<CancellationRecord | undefined> {
    const found = this.records.get(id);
    return found ? structuredClone(found) : undefined;
  }

  async list(page: PageRequest): Promise<{ cancellations: CancellationRecord[]; cursor?: string }> {
    const after = page.cursor ? Buffer.from(page.cursor, "base64url").toString("utf8") : undefined;
    const rest = [...this.records.values()]
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .filter((r) => after === undefined || r.id < after);
    const taken = rest.slice(0, Math.max(0, page.limit));
    const last = taken.at(-1);
    const cancellations = taken.map((r) => structuredClone(r));
    if (!last || rest.length <= taken.length) return { cancellations };
    return { cancellations, cursor: Buffer.from(last.id, "utf8").toString("base64url") };
  }

  async delete(id: string): Promise<boolean> {
    return this.records.delete(id);
  }
}
