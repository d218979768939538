/** Listing helpers of the memory stores: the same filters and time order as the Dynamo indexes. */
import type { RunRecord, RunSummary } from "../../domain/schemas.js";
import type { PageRequest, RunQuery } from "../../ports/index.js";

export function runMatches(run: RunRecord, q: RunQuery): boolean {
  return (
    run.startedAt >= q.from &&
    run.startedAt <= q.until &&
    (!q.fnSlugs || q.fnSlugs.includes(run.fnSlug)) &&
    (!q.appIds || q.appIds.includes(run.appId)) &&
    (!q.statuses || q.statuses.includes(run.status))
  );
}

export function summarize(run: RunRecord): RunSummary {
  const summary: RunSummary = {
    runId: run.runId,
    fnSlug: run.fnSlug,
    appId: run.appId,
    status: run.status,
    eventId: run.eventId,
    startedAt: run.startedAt,
  };
  const eventName = run.events[0]?.name;
  if (eventName !== undefined) summary.eventName = eventName;
  if (run.endedAt !== undefined) summary.endedAt = run.endedAt;
  if (run.firstAttemptAt !== undefined) summary.firstAttemptAt = run.firstAttemptAt;
  return structuredClone(summary);
}

interface SortKey {
  at: number;
  id: string;
}

function compare(a: SortKey, b: SortKey): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function decode(cursor: string): SortKey {
  const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  if (
    typeof value === "object" &&
    value !== null &&
    "at" in value &&
    typeof value.at === "number" &&
    "id" in value &&
    typeof value.id === "string"
  ) {
    return { at: value.at, id: value.id };
  }
  throw new Error("invalid listing cursor");
}

/** One page of `items` in (time, id) order after the cursor; a cursor only when more remain. */
export function pageAfter<T>(
  items: T[],
  key: (item: T) => SortKey,
  order: "asc" | "desc",
  page: PageRequest,
): { items: T[]; cursor?: string } {
  const sign = order === "asc" ? 1 : -1;
  const sorted = [...items].sort((a, b) => sign * compare(key(a), key(b)));
  const start = page.cursor ? decode(page.cursor) : undefined;
  const rest = start ? sorted.filter((item) => sign * compare(key(item), start) > 0) : sorted;
  const taken = rest.slice(0, Math.max(0, page.limit));
  const last = taken.at(-1);
  if (!last || rest.length <= taken.length) return { items: taken };
  return { items: taken, cursor: Buffer.from(JSON.stringify(key(last))).toString("base64url") };
}
