/** Tideline's cost fields: FunctionRunV2.awsCost and Function.runStats, over the memory ports. */
import { describe, expect, it, vi } from "vitest";
import { RequestContext } from "../../../shared/core/api/graphql/context.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import { RUN_STATS_LIMIT } from "../../../shared/core/api/graphql/views/runCost.js";
import { NO_USAGE, type RunUsage } from "../../../shared/domain/awsUsage.js";
import { makeRun, T0 } from "../../fixtures/records.js";
import { newId, useGqlHarness } from "./graphqlHarness.js";

const h = useGqlHarness();

/** 8 WRU ($10e-6), 4 RRU ($1e-6), 2 FIFO requests ($1e-6): $12e-6. */
const usage: RunUsage = {
  usage: { ...NO_USAGE, dynamoWru: 8, dynamoRru: 4, sqsFifoRequests: 2 },
  calls: 9,
  jobs: 2,
  lambdaMs: 0,
};

const COST =
  "query ($id: String!) { run(runID: $id) { awsCost { usd calls jobs services { service usd detail } } } }";
const FROM = new Date(T0 - 3_600_000).toISOString();

describe("FunctionRunV2.awsCost", () => {
  it("prices a run's recorded usage by service, and is null for a run with none", async () => {
    const priced = await h.runWith();
    const bare = await h.runWith();
    await h.ports.runUsage.add(priced.runId, usage, T0);
    const answer = (await h.gql(COST, { id: priced.runId })) as { data: { run: { awsCost: unknown } } };
    expect(answer.data.run.awsCost).toEqual({
      usd: expect.closeTo(12e-6, 12),
      calls: 9,
      jobs: 2,
      services: [
        { service: "DynamoDB", usd: expect.closeTo(11e-6, 12), detail: "8 WRU, 4 RRU" },
        { service: "SQS", usd: expect.closeTo(1e-6, 12), detail: "2 FIFO, 0 standard requests" },
      ],
    });
    expect(await h.gql(COST, { id: bare.runId })).toEqual({ data: { run: { awsCost: null } } });
  });

  it("reads the cost of a whole page of runs in one batch", async () => {
    for (let i = 0; i < 5; i++) await h.ports.runUsage.add((await h.runWith()).runId, usage, T0);
    const get = vi.spyOn(h.ports.runUsage, "get");
    const page = (await h.gql(
      `query ($from: Time!) { runs(first: 10, orderBy: [{field: QUEUED_AT, direction: DESC}], filter: {from: $from}) { edges { node { awsCost { calls } } } } }`,
      { from: FROM },
    )) as { data: { runs: { edges: { node: { awsCost: { calls: number } } }[] } } };
    expect(page.data.runs.edges.map((e) => e.node.awsCost.calls)).toEqual([9, 9, 9, 9, 9]);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get.mock.calls[0]?.[0]).toHaveLength(5);
  });
});

describe("with run costs off (no usage store)", () => {
  it("shows no cost: awsCost and runStats.awsCostUsd are null", async () => {
    const run = await h.runWith();
    await h.ports.runUsage.add(run.runId, usage, T0);
    const off = async (query: string, variables: Record<string, string>) =>
      (await handleGraphql({ ...h.ports, runUsage: undefined }, JSON.stringify({ query, variables }))).body;

    expect(await off(COST, { id: run.runId })).toEqual({ data: { run: { awsCost: null } } });
    const stats = "query ($from: Time!) { functions { runStats(from: $from) { total awsCostUsd } } }";
    expect(await off(stats, { from: FROM })).toEqual({
      data: { functions: [{ runStats: { total: 1, awsCostUsd: null } }] },
    });
  });
});

describe("RequestContext.usage", () => {
  it("batches the reads of one turn, and a later turn's reads go out afresh", async () => {
    const [a, b, c] = [await h.runWith(), await h.runWith(), await h.runWith()];
    for (const run of [a, b, c]) await h.ports.runUsage.add(run.runId, usage, T0);
    const get = vi.spyOn(h.ports.runUsage, "get");
    const ctx = new RequestContext(h.ports);

    const first = await Promise.all([ctx.usage(a.runId), ctx.usage(b.runId)]);
    // A later turn (a field resolved after another read) must not join a batch already sent.
    const later = await ctx.usage(c.runId);

    expect([...first, later].map((u) => u?.calls)).toEqual([9, 9, 9]);
    expect(get.mock.calls.map(([ids]) => [...ids].length)).toEqual([2, 1]);
  });
});

describe("Function.runStats", () => {
  const STATS =
    "query ($from: Time!) { functions { slug runStats(from: $from) { total running completed failed cancelled skipped awsCostUsd truncated } } }";
  type Stats = { data: { functions: { slug: string; runStats: Record<string, number | boolean> }[] } };

  it("counts the function's runs since `from` by status and adds up their cost", async () => {
    const statuses = ["Completed", "Completed", "Failed", "Cancelled", "Skipped", "Running"] as const;
    for (const status of statuses) {
      const run = makeRun({ runId: newId(T0), startedAt: T0, status, fnSlug: "app-fn" });
      await h.ports.runs.createRun(run);
      await h.ports.runUsage.add(run.runId, usage, T0);
    }
    // Queued before `from`, or another function's: not counted.
    await h.ports.runs.createRun(makeRun({ runId: newId(T0 - 7_200_000), startedAt: T0 - 7_200_000 }));
    const other = makeRun({ runId: newId(T0), startedAt: T0, status: "Completed", fnSlug: "app-other" });
    await h.ports.runs.createRun(other);
    await h.ports.runUsage.add(other.runId, usage, T0);
    const stats = ((await h.gql(STATS, { from: FROM })) as Stats).data.functions[0]?.runStats;
    expect(stats).toEqual({
      total: 6,
      running: 1,
      completed: 2,
      failed: 1,
      cancelled: 1,
      skipped: 1,
      awsCostUsd: expect.closeTo(6 * 12e-6, 12),
      truncated: false,
    });
  });

  const at = async () => ((await h.gql(STATS, { from: FROM })) as Stats).data.functions[0]?.runStats;
  const createRuns = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await h.ports.runs.createRun(makeRun({ runId: newId(T0 + i), startedAt: T0 + i, fnSlug: "app-fn" }));
    }
  };

  it(`reads at most ${RUN_STATS_LIMIT} runs and says when there were more`, async () => {
    await createRuns(RUN_STATS_LIMIT + 1);
    const list = vi.spyOn(h.ports.runs, "listRuns");
    expect(await at()).toMatchObject({ total: RUN_STATS_LIMIT, running: RUN_STATS_LIMIT, truncated: true });
    // One read of the newest RUN_STATS_LIMIT and one more, never the rest of the window.
    expect(list).toHaveBeenCalledTimes(1);
    expect(list.mock.calls[0]?.[1]).toEqual({ limit: RUN_STATS_LIMIT + 1 });
  });

  it(`counts the newest ${RUN_STATS_LIMIT} when pages come back short (a page may end at a day)`, async () => {
    await createRuns(RUN_STATS_LIMIT + 100);
    const listRuns = h.ports.runs.listRuns.bind(h.ports.runs);
    vi.spyOn(h.ports.runs, "listRuns").mockImplementation((q, page) => listRuns(q, { ...page, limit: 90 }));
    expect(await at()).toMatchObject({ total: RUN_STATS_LIMIT, running: RUN_STATS_LIMIT, truncated: true });
  });

  it(`is not truncated with exactly ${RUN_STATS_LIMIT} runs`, async () => {
    await createRuns(RUN_STATS_LIMIT);
    expect(await at()).toMatchObject({ total: RUN_STATS_LIMIT, truncated: false });
  });
});
