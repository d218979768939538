/**
 * Benchmark: the dashboard.
 *   - its bundle: raw and gzipped bytes of what the first page loads and of the lazy chunks;
 *   - first load against `tideline dev`, in a fresh browser context each time (cold cache):
 *     first contentful paint, the load event, and "interactive": the Apps page showing its data
 *     (its API call answered and rendered);
 *   - the runs page with RUNS runs stored: from navigation to the first page of rows and the
 *     total shown, cold, and as an in-app navigation from the Apps page.
 *
 *   npm run bench:dashboard              # 10,000 runs, 7 loads each
 *   RUNS=2000 LOADS=3 npm run bench:dashboard
 *
 * Headless Chromium (Debian's) on this machine, the API on DynamoDB Local: figures are for
 * comparing builds here, not a promise about a user's browser.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { DASHBOARD_DIST } from "../../infra/local/staticSite.js";
import { launchBrowser } from "../helpers/browser.js";
import { randomSuffix } from "../helpers/index.js";
import { seedRuns } from "./seedRuns.js";
import { stats } from "./stats.js";

const RUNS = Number(process.env.RUNS ?? 10_000);
const LOADS = Number(process.env.LOADS ?? 7);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function bundle(): void {
  const assets = join(DASHBOARD_DIST, "assets");
  const html = readFileSync(join(DASHBOARD_DIST, "index.html"), "utf8");
  let initialRaw = Buffer.byteLength(html);
  let initialGz = gzipSync(html).length;
  let lazyRaw = 0;
  let lazyGz = 0;
  console.log("Bundle (dashboard/dist):");
  for (const name of readdirSync(assets).sort()) {
    const body = readFileSync(join(assets, name));
    const gz = gzipSync(body, { level: 9 }).length;
    // What index.html names (entry script, its preloads, the stylesheet) loads first.
    const initial = html.includes(`assets/${name}`);
    if (initial) {
      initialRaw += body.length;
      initialGz += gz;
    } else {
      lazyRaw += body.length;
      lazyGz += gz;
    }
    console.log(
      `  ${name.padEnd(36)} ${kb(statSync(join(assets, name)).size).padStart(10)}  gzip ${kb(gz).padStart(9)}  ${initial ? "first load" : "lazy"}`,
    );
  }
  console.log(
    `  first load: ${kb(initialRaw)}, gzip ${kb(initialGz)}; lazy chunks: ${kb(lazyRaw)}, gzip ${kb(lazyGz)}`,
  );
}

/** Milliseconds since the page's navigation began, read in the page. */
const sinceNavigation = (page: Page) => page.evaluate(() => performance.now());

async function coldLoad(
  browser: Browser,
  url: string,
  ready: (page: Page) => Promise<unknown>,
  later?: (page: Page) => Promise<unknown>,
) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "commit" });
  await ready(page);
  const interactive = await sinceNavigation(page);
  if (later) await later(page);
  const settled = later ? await sinceNavigation(page) : interactive;
  await page.waitForLoadState("load");
  const timing = await page.evaluate(() => {
    // In the page (a DOM type the Node typings lack): the navigation entry's load event end.
    const nav = performance.getEntries().find((e) => String(e.entryType) === "navigation") as
      | { loadEventEnd?: number }
      | undefined;
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { load: nav?.loadEventEnd ?? Number.NaN, fcp: fcp?.startTime ?? Number.NaN };
  });
  await context.close();
  return { ...timing, interactive, settled };
}

/** What each part of the runs page's query costs the API (GraphQL over HTTP, 20 queries each). */
async function queryCosts(url: string): Promise<void> {
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const variants: [string, string][] = [
    [
      "rows only (id status times function)",
      "id status queuedAt startedAt endedAt function { id name slug }",
    ],
    [
      "+ eventName (projected in the listing)",
      "id status queuedAt startedAt endedAt function { id name slug } eventName",
    ],
    [
      "+ awsCost (one batch read)",
      "id status queuedAt startedAt endedAt function { id name slug } awsCost { usd }",
    ],
  ];
  const time = async (node: string, extra = "") => {
    const query = `query ($from: Time!) { runs(first: 50, orderBy: [{field: QUEUED_AT, direction: DESC}], filter: {from: $from}) { edges { node { ${node} } } ${extra} } }`;
    const times: number[] = [];
    for (let i = 0; i < 23; i++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/v0/gql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables: { from } }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (!res.ok || body.errors) throw new Error(JSON.stringify(body));
      if (i >= 3) times.push(performance.now() - t0);
    }
    return stats(times);
  };
  console.log("The runs page's query, a page of 50 (20 queries each after 3 warm-ups):");
  for (const [label, node] of variants) console.log(`  ${label.padEnd(40)} ${await time(node)}`);
  console.log(`  ${"rows + totalCount".padEnd(40)} ${await time(variants[0]?.[1] ?? "id", "totalCount")}`);
}

async function main(): Promise<void> {
  bundle();
  const runtime = await startLocalRuntime({
    port: 0,
    prefix: `bench-ui-${randomSuffix()}`,
    log: silentLogger,
  });
  const browser = await launchBrowser();
  try {
    Object.assign(process.env, runtime.env);
    const { apiDeps } = await import("../../lambdas/wiring.js");
    const { runs } = await apiDeps();

    const appsReady = (page: Page) =>
      page
        .getByRole("heading", { level: 1, name: "Apps" })
        .and(page.locator(":visible"))
        .waitFor()
        .then(() =>
          // The page has asked the API and shown what it said (an empty state: nothing is synced).
          page
            .getByText(/no apps/i)
            .first()
            .waitFor(),
        );
    const first = { fcp: [] as number[], load: [] as number[], interactive: [] as number[] };
    for (let i = 0; i < LOADS; i++) {
      const t = await coldLoad(browser, `${runtime.url}/#/apps`, appsReady);
      if (Number.isFinite(t.fcp)) first.fcp.push(t.fcp);
      first.load.push(t.load);
      first.interactive.push(t.interactive);
    }
    console.log(`First load of the Apps page, cold (${LOADS} loads, 1280x800):`);
    console.log(`  first contentful paint  ${stats(first.fcp)}`);
    console.log(`  load event              ${stats(first.load)}`);
    console.log(`  interactive (data shown) ${stats(first.interactive)}`);

    const seconds = await seedRuns(runs, {
      count: RUNS,
      now: Date.now(),
      fnSlugs: ["bench-fn-0", "bench-fn-1", "bench-fn-2", "bench-fn-3"],
      seed: 5,
    });
    console.log(`Stored ${RUNS} runs in ${seconds.toFixed(1)} s.`);
    await queryCosts(runtime.url);
    const total = RUNS.toLocaleString("en-US");
    const runsReady = (page: Page) => page.getByTestId("run-row").first().waitFor();
    const totalShown = (page: Page) =>
      page
        .getByText(new RegExp(`of (${total}|${RUNS}) runs`))
        .first()
        .waitFor();
    const cold: number[] = [];
    const coldTotal: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const t = await coldLoad(browser, `${runtime.url}/#/runs`, runsReady, totalShown);
      cold.push(t.interactive);
      coldTotal.push(t.settled);
    }
    // A fresh context each time, so the runs page's data is not in the query cache yet.
    const inApp: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${runtime.url}/#/apps`);
      await appsReady(page);
      const t0 = Date.now();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
      await runsReady(page);
      inApp.push(Date.now() - t0);
      await context.close();
    }
    console.log(`Runs page with ${total} runs stored (its first page of 50 rows shown):`);
    console.log(`  cold load               ${stats(cold)}`);
    console.log(`  cold, the total shown   ${stats(coldTotal)}`);
    console.log(`  from the Apps page      ${stats(inApp)}`);
  } finally {
    await browser.close();
    await runtime.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
