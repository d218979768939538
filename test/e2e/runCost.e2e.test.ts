import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlAt } from "../helpers/gql.js";
import { type DevApp, devApp } from "./devApp.js";

/**
 * Each run's AWS cost comes from the calls its jobs made: a longer run costs more, and a
 * function's run stats add its runs up.
 */
let app: DevApp<import("inngest").Inngest>;

interface Cost {
  usd: number;
  calls: number;
  jobs: number;
  lambdaMs: number;
  services: { service: string; usd: number; detail: string }[];
}

const costOf = async (runId: string) =>
  (
    await gqlAt<{ run: { awsCost: Cost | null } }>(
      app.url,
      "query ($id: String!) { run(runID: $id) { awsCost { usd calls jobs lambdaMs services { service usd detail } } } }",
      { id: runId },
    )
  ).run.awsCost;

beforeAll(async () => {
  app = await devApp("cost");
  const one = app.inngest.createFunction(
    { id: "one-step", triggers: [{ event: app.ev("one") }] },
    async ({ step }) => step.run("a", () => 1),
  );
  const many = app.inngest.createFunction(
    { id: "sleepy", triggers: [{ event: app.ev("many") }], checkpointing: false },
    async ({ step }) => {
      await step.run("a", () => 1);
      await step.sleep("nap", "1s");
      await step.run("b", () => 2);
      return "done";
    },
  );
  await app.start([one, many]);
});

afterAll(() => app?.stop());

describe("run cost", () => {
  it("prices each run from its own jobs' calls, more for a run with more jobs", async () => {
    const small = await app.final(await app.send("one"));
    const big = await app.final(await app.send("many"));
    expect(small.status).toBe("Completed");
    expect(big.status).toBe("Completed");
    const [a, b] = [await costOf(small.run_id), await costOf(big.run_id)];
    if (!a || !b) throw new Error(`no cost recorded: ${JSON.stringify({ a, b })}`);
    expect(a.jobs).toBeGreaterThanOrEqual(1);
    expect(a.calls).toBeGreaterThan(a.jobs);
    // The sleep's wake-up is a job of its own at least (an executor may go on with a run itself).
    expect(b.jobs).toBeGreaterThanOrEqual(2);
    expect(b.calls).toBeGreaterThan(a.calls);
    expect(b.usd).toBeGreaterThan(a.usd);
    expect(a.usd).toBeCloseTo(
      a.services.reduce((n, s) => n + s.usd, 0),
      12,
    );
    expect(a.services.map((s) => s.service)).toEqual(expect.arrayContaining(["DynamoDB", "Lambda"]));
    expect(a.services.find((s) => s.service === "DynamoDB")?.detail).toMatch(
      /^\d+(\.\d+)? WRU, \d+(\.\d+)? RRU$/,
    );
  });

  it("adds a function's runs up in its run stats", async () => {
    const runs = [await app.final(await app.send("one")), await app.final(await app.send("one"))];
    const data = await gqlAt<{
      functions: {
        slug: string;
        runStats: { total: number; completed: number; awsCostUsd: number; truncated: boolean };
      }[];
    }>(
      app.url,
      "query ($from: Time!) { functions { slug runStats(from: $from) { total completed awsCostUsd truncated } } }",
      {
        from: new Date(Date.now() - 3_600_000).toISOString(),
      },
    );
    const stats = data.functions.find((f) => f.slug.endsWith("one-step"))?.runStats;
    expect(stats?.total).toBeGreaterThanOrEqual(3);
    expect(stats?.completed).toBe(stats?.total);
    expect(stats?.truncated).toBe(false);
    let sum = 0;
    for (const r of runs) sum += (await costOf(r.run_id))?.usd ?? 0;
    expect(stats?.awsCostUsd).toBeGreaterThan(sum);
  });
});
