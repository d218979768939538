/**
 * Benchmark: GraphQL read latency on `tideline dev` (DynamoDB Local underneath):
 *   - `run(runID) { trace }` for a 50-step run (with retried attempts), and
 *   - the runs listing (first page of 40, newest first) with 10,000 runs stored, unfiltered, by
 *     function and status, and with `totalCount`.
 *
 *   npm run bench:trace                 # 200 queries of each kind
 *   QUERIES=500 RUNS=10000 npm run bench:trace
 *
 * The runs are written straight into the runs table through the same store the handlers use.
 */

import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import type { AttemptRecord, StepRecord } from "../../shared/domain/schemas.js";
import { randomSuffix } from "../helpers/index.js";
import { benchRun as run, seedRuns, ulidLike } from "./seedRuns.js";
import { percentile } from "./stats.js";

const QUERIES = Number(process.env.QUERIES ?? 200);
const RUNS = Number(process.env.RUNS ?? 10_000);
const STEPS = 50;

async function timeQueries(
  url: string,
  label: string,
  query: string,
  variables: Record<string, unknown>,
  check: (data: unknown) => string | undefined,
) {
  const times: number[] = [];
  for (let i = 0; i < QUERIES + 5; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/v0/gql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown };
    if (res.status !== 200 || body.errors) throw new Error(`${label}: ${res.status} ${JSON.stringify(body)}`);
    const problem = check(body.data);
    if (problem) throw new Error(`${label}: ${problem}`);
    if (i >= 5) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${label.padEnd(44)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(times, 99).toFixed(1).padStart(6)} ms`,
  );
}

async function main(): Promise<void> {
  const suffix = randomSuffix();
  const runtime = await startLocalRuntime({ port: 0, prefix: `bench-${suffix}`, log: silentLogger });
  try {
    Object.assign(process.env, runtime.env);
    const { apiDeps } = await import("../../lambdas/wiring.js");
    const { runs } = await apiDeps();
    const now = Date.now();

    // One 50-step run, five of whose steps needed a retry.
    const longId = ulidLike(1, 3);
    await runs.createRun(run(longId, "bench-long", now - 60_000));
    const steps: StepRecord[] = [];
    const attempts: AttemptRecord[] = [];
    for (let i = 0; i < STEPS; i++) {
      const stepId = `step${String(i).padStart(3, "0")}`;
      const at = now - 60_000 + i * 100;
      const retried = i % 10 === 0;
      if (retried) {
        attempts.push({
          runId: longId,
          stepId,
          name: `s${i}`,
          attempt: 0,
          startedAt: at - 50,
          endedAt: at - 40,
          version: i,
          error: { name: "Error", message: "flaky" },
        });
      }
      steps.push({
        runId: longId,
        stepId,
        value: { data: { i, payload: "x".repeat(200) } },
        name: `s${i}`,
        op: "StepRun",
        attempts: retried ? 1 : 0,
        at,
        startedAt: at - 20,
      });
    }
    // Commit in the engine's shape: one transition per step (retries first).
    let version = 0;
    for (const step of steps) {
      const failed = attempts.filter((a) => a.stepId === step.stepId);
      if (failed.length) {
        const a = failed.map((f) => ({ ...f, version }));
        if (!(await runs.commitTransition(longId, version++, { attempts: a, set: {}, at: step.at })))
          throw new Error("race");
      }
      if (!(await runs.commitTransition(longId, version++, { steps: [step], set: {}, at: step.at })))
        throw new Error("race");
    }
    await runs.commitTransition(longId, version, {
      set: { status: "Completed", endedAt: now, output: { ok: true }, firstAttemptAt: now - 60_000 },
      at: now,
    });

    // RUNS runs over the last two hours, across four functions; a quarter of them completed.
    const seconds = await seedRuns(runs, {
      count: RUNS,
      now,
      fnSlugs: ["bench-fn-0", "bench-fn-1", "bench-fn-2", "bench-fn-3"],
      seed: 4,
    });
    console.log(`Stored ${RUNS} runs in ${seconds.toFixed(1)} s, plus one ${STEPS}-step run.`);
    console.log(`GraphQL on tideline dev (${QUERIES} queries each, after 5 warm-up):`);

    const span = "name status stepID spanID startedAt endedAt duration outputID attempts";
    await timeQueries(
      runtime.url,
      `run(runID){trace} (${STEPS} steps, 3 levels)`,
      `query ($id: String!) { run(runID: $id) { status trace(preview: true) { ${span} childrenSpans { ${span} childrenSpans { ${span} } } } } }`,
      { id: longId },
      (data) => {
        const children = (data as { run: { trace: { childrenSpans: { childrenSpans: unknown[] }[] } } }).run
          .trace.childrenSpans;
        const attempts = children.reduce((n, c) => n + c.childrenSpans.length, 0);
        return children.length === STEPS && attempts === STEPS + STEPS / 10
          ? undefined
          : `expected ${STEPS} steps and ${STEPS + STEPS / 10} attempts, got ${children.length} and ${attempts}`;
      },
    );
    const from = new Date(now - 3 * 3_600_000).toISOString();
    const list = (filter: string, extra = "") =>
      `query ($from: Time!) { runs(first: 40, orderBy: [{field: QUEUED_AT, direction: DESC}], filter: {from: $from${filter}}) { edges { node { id status queuedAt endedAt } } pageInfo { hasNextPage endCursor } ${extra} } }`;
    type Page = { runs: { edges: { node: { status: string } }[]; totalCount?: number } };
    const page = (want: { status?: string; total?: number }) => (data: unknown) => {
      const { edges, totalCount } = (data as Page).runs;
      if (edges.length !== 40) return `expected a page of 40, got ${edges.length}`;
      if (want.status && edges.some((e) => e.node.status !== want.status)) return "a run of another status";
      if (want.total !== undefined && totalCount !== want.total) return `totalCount ${totalCount}`;
      return undefined;
    };
    await timeQueries(runtime.url, `runs(first: 40), ${RUNS} stored`, list(""), { from }, page({}));
    await timeQueries(
      runtime.url,
      "runs(first: 40) status COMPLETED",
      list(", status: [COMPLETED]"),
      { from },
      page({ status: "COMPLETED" }),
    );
    await timeQueries(
      runtime.url,
      `runs(first: 40) + totalCount (${RUNS})`,
      list("", "totalCount"),
      { from },
      page({ total: RUNS + 1 }),
    );
  } finally {
    await runtime.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
