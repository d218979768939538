/** What the flow-control bench reads of the runtime's APIs (GraphQL and REST): runs, their counts and events. */
import { gqlAt, type RestRun } from "../../helpers/index.js";
import type { Bench } from "./setup.js";

/** The function's GraphQL id. */
export async function functionUuid(b: Bench, appId: string, fnId: string): Promise<string> {
  const data = await gqlAt<{ functions: { id: string; slug: string }[] | null }>(
    b.runtime.url,
    "{ functions { id slug } }",
  );
  const fn = (data.functions ?? []).find((f) => f.slug === `${appId}-${fnId}`);
  if (!fn) throw new Error(`function ${fnId} not registered`);
  return fn.id;
}

/** Runs of the function queued since `from` (GraphQL `totalCount`), of the given statuses or all. */
export async function countRuns(b: Bench, uuid: string, from: string, statuses?: string[]): Promise<number> {
  const status = statuses ? `, status: [${statuses.join(", ")}]` : "";
  const data = await gqlAt<{ runs: { totalCount: number } }>(
    b.runtime.url,
    `query ($from: Time!, $fn: [UUID!]) { runs(first: 1, orderBy: [{field: QUEUED_AT, direction: DESC}], filter: {from: $from, functionIDs: $fn${status}}) { totalCount } }`,
    { from, fn: [uuid] },
  );
  return data.runs.totalCount;
}

export interface ListedRun {
  eventId: string;
  /** Creation (`run_started_at`) and end (`ended_at`, NaN while it runs), epoch ms. */
  startedAt: number;
  endedAt: number;
}

/** The function's runs queued since `from` (REST `GET /v1/runs`, paged). */
export async function listRuns(b: Bench, slug: string, from: string, status?: string): Promise<ListedRun[]> {
  const out: ListedRun[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ function_id: slug, from, limit: "100", ...(status ? { status } : {}) });
    if (cursor) q.set("cursor", cursor);
    const res = await fetch(`${b.runtime.url}/v1/runs?${q}`);
    if (!res.ok) return out;
    const page = (await res.json()) as { data: RestRun[]; cursor?: string };
    for (const r of page.data) {
      out.push({
        eventId: r.event_id,
        startedAt: Date.parse(r.run_started_at ?? ""),
        endedAt: Date.parse(r.ended_at ?? ""),
      });
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** The latest `ended_at` of the function's Completed runs since `from`. */
export async function lastEnded(b: Bench, fnId: string, from: string): Promise<number | undefined> {
  const ends = (await listRuns(b, `${b.appId}-${fnId}`, from, "Completed"))
    .map((r) => r.endedAt)
    .filter((t) => !Number.isNaN(t));
  return ends.length ? Math.max(...ends) : undefined;
}

/** Bulk-cancels the function's runs started until now (POST /v1/cancellations). */
export async function cancelAll(b: Bench, fnId: string): Promise<string> {
  const res = await fetch(`${b.runtime.url}/v1/cancellations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      app_id: b.appId,
      function_id: fnId,
      started_before: new Date().toISOString(),
    }),
  });
  return res.ok ? "bulk cancellation stored" : `bulk cancellation refused: ${res.status} ${await res.text()}`;
}

/**
 * Sent events of the function that have no run (REST listing of its runs since `from`, by event
 * id), each with what `GET /v1/events/{id}` says of the event itself.
 */
export async function eventsWithoutRun(
  b: Bench,
  slug: string,
  from: string,
  sent: Map<string, string>,
  show = 10,
): Promise<{ count: number; lines: string[] }> {
  const seen = new Set((await listRuns(b, slug, from)).map((r) => r.eventId));
  const missing = [...sent].filter(([, id]) => !seen.has(id));
  const lines = await Promise.all(
    missing.slice(0, show).map(async ([tag, id]) => {
      const [event, runs] = await Promise.all([
        fetch(`${b.runtime.url}/v1/events/${id}`),
        fetch(`${b.runtime.url}/v1/events/${id}/runs`),
      ]);
      const runList = runs.ok ? ((await runs.json()) as { data: RestRun[] }).data : [];
      return `${tag}: event ${id} ${event.ok ? "stored" : `not found (${event.status}: it never reached the runner)`}, ${runList.length ? `runs ${runList.map((r) => `${r.run_id} ${r.status}`).join(", ")}` : "no run"}${b.firstStart.has(tag) ? ", but its first step ran in the app" : ""}`;
    }),
  );
  return { count: missing.length, lines };
}
