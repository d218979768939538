import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { artifactDir, launchBrowser } from "../helpers/browser.js";
import { randomSuffix } from "../helpers/index.js";

/**
 * The dashboard in cloud mode (a file of its own: a process runs one local runtime's handlers).
 * Every API call needs the API key: the dashboard asks for it on the first 401 and keeps it in
 * sessionStorage only.
 */
const SHOTS = artifactDir("dashboard");
const KEY = `tl-api-${randomSuffix()}`;
const TIMEOUT = 15_000;

let cloud: Awaited<ReturnType<typeof startLocalRuntime>>;
let browser: Browser;

beforeAll(async () => {
  cloud = await startLocalRuntime({
    port: 0,
    prefix: `e2e-ui-cloud-${randomSuffix()}`,
    log: silentLogger,
    env: {
      TIDELINE_MODE: "cloud",
      TIDELINE_SIGNING_KEY: `signkey-test-${"0a1b2c3d".repeat(8)}`,
      TIDELINE_API_KEY_HASHES: createHash("sha256").update(KEY).digest("hex"),
    },
  });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const heading = (page: Page, name: string) => page.getByRole("heading", { level: 1, name });

describe("dashboard in cloud mode", () => {
  it("asks for the API key on a 401, refuses a wrong one, keeps the right one in the session only", async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      reducedMotion: "reduce",
    });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    try {
      await page.goto(`${cloud.url}/#/apps`);
      await heading(page, "Sign in").waitFor();
      await shot(page, "sign-in");
      await page.getByLabel("API key").fill("not-the-key");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page
        .getByText(/not accepted|invalid|refused|401/i)
        .first()
        .waitFor();
      await page.getByLabel("API key").fill(KEY);
      await page.getByRole("button", { name: "Sign in" }).click();
      await heading(page, "Apps").waitFor();
      await page.getByTestId("empty-state").getByText("No apps synced yet").waitFor();
      await shot(page, "apps-empty");
      const stored = await page.evaluate<{ session: string[]; local: number; cookies: string }>(
        "({ session: Object.values(sessionStorage), local: Object.keys(localStorage).length, cookies: document.cookie })",
      );
      expect(stored).toEqual({ session: [KEY], local: 0, cookies: "" });

      // A new tab of the same browser has its own session: it asks again.
      const other = await context.newPage();
      await other.goto(`${cloud.url}/#/runs`);
      await heading(other, "Sign in").waitFor();
      await other.close();

      await page.getByRole("button", { name: "Forget key" }).click();
      await heading(page, "Sign in").waitFor();
      expect(await page.evaluate<number>("sessionStorage.length")).toBe(0);
    } catch (err) {
      await shot(page, "failed-cloud").catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });
});
