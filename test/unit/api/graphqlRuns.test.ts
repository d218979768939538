/** The `runs` connection: cursor pagination over the run store, filters and totalCount. */
import { monotonicFactory } from "ulid";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import { stableUuid } from "../../../shared/domain/ids.js";
import type { Json } from "../../../shared/domain/json.js";
import type { RunRecord, RunStatus } from "../../../shared/domain/schemas.js";
import { makeApp, makeEvent, makeFunction, makeRun, T0 } from "../../fixtures/records.js";

const newId = monotonicFactory();
const FROM = new Date(T0 - 24 * 3600_000).toISOString();

const RUNS = `query Runs($first: Int!, $after: String, $filter: RunsFilterV2!, $orderBy: [RunsV2OrderBy!]!) {
  runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id status queuedAt functionID function { slug } app { externalID } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}`;

const runsPageSchema = z.object({
  edges: z.array(
    z.object({
      cursor: z.string(),
      node: z.object({ id: z.string(), status: z.string(), function: z.object({ slug: z.string() }) }),
    }),
  ),
  pageInfo: z.object({
    hasNextPage: z.boolean(),
    hasPreviousPage: z.boolean(),
    startCursor: z.string().nullable(),
    endCursor: z.string().nullable(),
  }),
  totalCount: z.number(),
});
type RunsPage = z.infer<typeof runsPageSchema>;
/** A successful answer: data and no errors. */
const runsAnswerSchema = z.object({ data: z.object({ runs: runsPageSchema }) }).strict();
const errorsSchema = z.object({ errors: z.array(z.object({ message: z.string() })) });

let ports: MemoryPorts<ManualClock>;
const fnA = makeFunction("app", "a", ["test/a"], { internalId: stableUuid("fn:app-a") });
const fnB = makeFunction("other", "b", ["test/b"], { internalId: stableUuid("fn:other-b") });

async function runsPage(variables: Record<string, Json>): Promise<RunsPage> {
  const res = await handleGraphql(
    ports,
    JSON.stringify({
      query: RUNS,
      variables: { orderBy: [{ field: "QUEUED_AT", direction: "DESC" }], ...variables },
    }),
  );
  expect(res.status).toBe(200);
  return runsAnswerSchema.parse(res.body).data.runs;
}

/** Every page from the first, following endCursor; fails on a page with nothing and more to come. */
async function allPages(filter: Record<string, Json>, first: number, orderBy?: Json): Promise<RunsPage[]> {
  const pages: RunsPage[] = [];
  let after: string | null = null;
  do {
    const page = await runsPage({ first, after, filter, ...(orderBy ? { orderBy } : {}) });
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    expect(pages.length).toBeLessThan(50);
  } while (after);
  return pages;
}

async function addRun(i: number, over: Partial<RunRecord> = {}): Promise<RunRecord> {
  const startedAt = T0 + i * 1000;
  const run = makeRun({ runId: newId(startedAt), startedAt, fnSlug: fnA.slug, appId: "app", ...over });
  await ports.runs.createRun(run);
  return run;
}

async function setStatus(run: RunRecord, status: RunStatus, firstAttemptAt?: number): Promise<void> {
  const at = run.startedAt + 10;
  await ports.runs.commitTransition(run.runId, 0, {
    set: {
      ...(status === "Running" ? {} : { status, endedAt: at }),
      ...(firstAttemptAt ? { firstAttemptAt } : {}),
    },
    at,
  });
}

beforeEach(async () => {
  ports = memoryPorts();
  ports.clock.set(T0 + 3600_000);
  await ports.registry.putAppSync(makeApp("app", [fnA]), [fnA]);
  await ports.registry.putAppSync(makeApp("other", [fnB]), [fnB]);
});

describe("runs connection", () => {
  it("pages through 11 runs three at a time, newest first, with no duplicates and the right totalCount", async () => {
    const runs = [];
    for (let i = 0; i < 11; i++) runs.push(await addRun(i));
    const pages = await allPages({ from: FROM }, 3);

    expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 3, 2]);
    const ids = pages.flatMap((p) => p.edges.map((e) => e.node.id));
    expect(ids).toEqual(runs.map((r) => r.runId).reverse());
    expect(new Set(ids).size).toBe(11);
    for (const page of pages) expect(page.totalCount).toBe(11);
    expect(pages[0]?.pageInfo.hasPreviousPage).toBe(false);
    expect(pages[1]?.pageInfo.hasPreviousPage).toBe(true);
    expect(pages.at(-1)?.pageInfo.hasNextPage).toBe(false);
  });

  it("resumes after any edge's cursor, not only the endCursor", async () => {
    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(await addRun(i));
    const first = await runsPage({ first: 4, filter: { from: FROM } });
    const second = first.edges[1];
    const next = await runsPage({ first: 2, after: second?.cursor ?? null, filter: { from: FROM } });
    expect(next.edges.map((e) => e.node.id)).toEqual([runs[3]?.runId, runs[2]?.runId]);
  });

  it("keeps the window of the first page, so runs queued meanwhile do not shift later pages", async () => {
    for (let i = 0; i < 5; i++) await addRun(i);
    const first = await runsPage({ first: 2, filter: { from: FROM } });
    ports.clock.advance(60_000);
    await addRun(3600 + 30);
    const rest = await allPages({ from: FROM }, 5);
    const next = await runsPage({ first: 5, after: first.pageInfo.endCursor, filter: { from: FROM } });
    expect(next.edges).toHaveLength(3);
    expect(next.totalCount).toBe(5);
    expect(rest[0]?.totalCount).toBe(6);
  });

  it("lists oldest first when ordered ASC", async () => {
    const runs = [await addRun(0), await addRun(1), await addRun(2)];
    const pages = await allPages({ from: FROM }, 2, [{ field: "QUEUED_AT", direction: "ASC" }]);
    expect(pages.flatMap((p) => p.edges.map((e) => e.node.id))).toEqual(runs.map((r) => r.runId));
  });

  it("filters by status, telling QUEUED from RUNNING", async () => {
    const queued = await addRun(0);
    const running = await addRun(1);
    await setStatus(running, "Running", running.startedAt + 5);
    const completed = await addRun(2);
    await setStatus(completed, "Completed");
    const failed = await addRun(3);
    await setStatus(failed, "Failed");

    const ids = async (status: string[]) =>
      (await allPages({ from: FROM, status }, 10)).flatMap((p) => p.edges.map((e) => e.node.id));
    expect(await ids(["COMPLETED", "FAILED"])).toEqual([failed.runId, completed.runId]);
    expect(await ids(["QUEUED"])).toEqual([queued.runId]);
    expect(await ids(["RUNNING"])).toEqual([running.runId]);
    expect(await ids(["RUNNING", "QUEUED"])).toEqual([running.runId, queued.runId]);
    expect(await ids(["SKIPPED"])).toEqual([]);
    const page = await runsPage({ first: 10, filter: { from: FROM, status: ["COMPLETED"] } });
    expect(page.totalCount).toBe(1);
    expect(page.edges[0]?.node.status).toBe("COMPLETED");
  });

  it("pages correctly when a status filter skips runs inside store pages", async () => {
    const completed: RunRecord[] = [];
    for (let i = 0; i < 12; i++) {
      const run = await addRun(i);
      if (i % 3 === 0) {
        await setStatus(run, "Running", run.startedAt + 1);
      } else {
        await setStatus(run, "Completed");
        completed.push(run);
      }
    }
    const pages = await allPages({ from: FROM, status: ["COMPLETED"] }, 3);
    expect(pages.flatMap((p) => p.edges.map((e) => e.node.id))).toEqual(
      completed.map((r) => r.runId).reverse(),
    );
  });

  it("filters by function UUIDs and app UUIDs, mapping them to the store's slugs and app ids", async () => {
    const a = await addRun(0);
    const b = await addRun(1, { fnSlug: fnB.slug, appId: "other" });
    const byFn = await runsPage({ first: 10, filter: { from: FROM, functionIDs: [fnB.internalId] } });
    expect(byFn.edges.map((e) => e.node.id)).toEqual([b.runId]);
    expect(byFn.edges[0]?.node.function.slug).toBe(fnB.slug);
    expect(byFn.totalCount).toBe(1);

    const byApp = await runsPage({ first: 10, filter: { from: FROM, appIDs: [stableUuid("app:app")] } });
    expect(byApp.edges.map((e) => e.node.id)).toEqual([a.runId]);

    const unknown = await runsPage({
      first: 10,
      filter: { from: FROM, functionIDs: [stableUuid("fn:gone")] },
    });
    expect(unknown).toMatchObject({
      edges: [],
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it("shows each run's function and app", async () => {
    await addRun(0);
    const res = await handleGraphql(
      ports,
      JSON.stringify({
        query: RUNS,
        variables: { first: 1, filter: { from: FROM }, orderBy: [{ field: "QUEUED_AT", direction: "DESC" }] },
      }),
    );
    expect(res.body).toMatchObject({
      data: {
        runs: {
          edges: [
            {
              node: {
                status: "QUEUED",
                functionID: fnA.internalId,
                function: { slug: fnA.slug },
                app: { externalID: "app" },
              },
            },
          ],
        },
      },
    });
  });

  it("names each run's event from the listing alone, reading a run only when its summary lacks the name", async () => {
    const named = await addRun(0, { events: [makeEvent({ name: "shop/order.paid" })] });
    const older = await addRun(1, { events: [makeEvent({ name: "shop/order.old" })] });
    // A run stored before summaries carried the name: its listing entry has none.
    const listRuns = ports.runs.listRuns.bind(ports.runs);
    vi.spyOn(ports.runs, "listRuns").mockImplementation(async (q, page) => {
      const answer = await listRuns(q, page);
      return {
        ...answer,
        runs: answer.runs.map((r) => (r.runId === older.runId ? { ...r, eventName: undefined } : r)),
      };
    });
    const getRun = vi.spyOn(ports.runs, "getRun");
    const res = await handleGraphql(
      ports,
      JSON.stringify({
        query: `query ($filter: RunsFilterV2!) { runs(first: 10, filter: $filter, orderBy: [{field: QUEUED_AT, direction: DESC}]) { edges { node { id eventName } } } }`,
        variables: { filter: { from: FROM } },
      }),
    );
    expect(res.body).toEqual({
      data: {
        runs: {
          edges: [
            { node: { id: older.runId, eventName: "shop/order.old" } },
            { node: { id: named.runId, eventName: "shop/order.paid" } },
          ],
        },
      },
    });
    expect(getRun.mock.calls.map(([runId]) => runId)).toEqual([older.runId]);
  });

  it("answers a bad cursor, an unsupported order and a zero page size with errors", async () => {
    const ask = async (variables: Record<string, Json>) =>
      handleGraphql(
        ports,
        JSON.stringify({
          query: RUNS,
          variables: {
            first: 3,
            filter: { from: FROM },
            orderBy: [{ field: "QUEUED_AT", direction: "DESC" }],
            ...variables,
          },
        }),
      );
    const message = (res: { body: Json }) => errorsSchema.parse(res.body).errors[0]?.message;
    expect(message(await ask({ after: "garbage" }))).toContain("is not a cursor");
    expect(message(await ask({ orderBy: [{ field: "STARTED_AT", direction: "DESC" }] }))).toContain(
      "QUEUED_AT",
    );
    expect(message(await ask({ first: 0 }))).toContain("first must be between");
  });
});
