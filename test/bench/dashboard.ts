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

async function coldLoad(browser: Browser, url: string, ready: (page: Page) => Promise<unknown>) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "commit" });
  await ready(page);
  const interactive = await sinceNavigation(page);
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
  return { ...timing, interactive };
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
      first.fcp.push(t.fcp);
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
    const total = RUNS.toLocaleString("en-US");
    const runsReady = async (page: Page) => {
      await page.getByTestId("run-row").first().waitFor();
      await page
        .getByText(new RegExp(`${total}|${RUNS}`))
        .first()
        .waitFor();
    };
    const cold: number[] = [];
    for (let i = 0; i < LOADS; i++)
      cold.push((await coldLoad(browser, `${runtime.url}/#/runs`, runsReady)).interactive);
    const inApp: number[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    for (let i = 0; i < LOADS; i++) {
      await page.goto(`${runtime.url}/#/apps`);
      await appsReady(page);
      const t0 = Date.now();
      await page.getByRole("link", { name: "Runs" }).first().click();
      await runsReady(page);
      inApp.push(Date.now() - t0);
    }
    await context.close();
    console.log(`Runs page with ${total} runs stored (first page of rows and the total shown):`);
    console.log(`  cold load               ${stats(cold)}`);
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
