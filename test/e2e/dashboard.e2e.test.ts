import { join } from "node:path";
import { NonRetriableError } from "inngest";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { artifactDir, launchBrowser } from "../helpers/browser.js";
import { firstRunOf, type RestRun, randomSuffix, waitFor } from "../helpers/index.js";
import { type DevApp, devApp } from "./devApp.js";

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against
 * `tideline dev`, with runs made by the official SDK: each page, each action, the phone layout,
 * the keyboard, and the error states. Screenshots of every page go to test-artifacts/dashboard.
 */
const SHOTS = artifactDir("dashboard");
const TIMEOUT = 15_000;

let app: DevApp<import("inngest").Inngest>;
let browser: Browser;
let page: Page;
/** How often greet's steps ran for each name: a rerun from a step must not run the steps before it. */
const greetCalls = { fetchUser: new Map<string, number>(), sayHello: new Map<string, number>() };
const count = (calls: Map<string, number>, name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
const runs: Record<"completed" | "failed" | "waiting", RestRun | undefined> = {
  completed: undefined,
  failed: undefined,
  waiting: undefined,
};

const shot = (name: string, target: Page = page) =>
  target.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const open = async (hash: string, target: Page = page) => {
  await target.goto(`${app.url}/#${hash}`);
};
const heading = (name: string | RegExp, target: Page = page) =>
  target.getByRole("heading", { level: 1, name });
const run = (which: keyof typeof runs): RestRun => {
  const r = runs[which];
  if (!r) throw new Error(`no ${which} run`);
  return r;
};
/** Pages without animations (the app honours reduced motion), so screenshots never catch one halfway. */
const newPage = (width: number) =>
  browser.newPage({ viewport: { width, height: 800 }, reducedMotion: "reduce" });
/** The run page's status once final: a wrong one fails at once rather than after a wait for the right one. */
const finalStatus = async (target: Page = page) => {
  const badge = target.locator(
    ["COMPLETED", "FAILED", "CANCELLED", "SKIPPED"]
      .map((s) => `[data-testid="run-status"][data-status="${s}"]`)
      .join(", "),
  );
  await badge.waitFor({ timeout: 30_000 });
  return badge.getAttribute("data-status");
};
const restRun = async (runId: string) => {
  const res = await fetch(`${app.url}/v1/runs/${runId}`);
  return ((await res.json()) as { data: RestRun }).data;
};

beforeAll(async () => {
  app = await devApp("ui");
  const greet = app.inngest.createFunction(
    { id: "greet", triggers: [{ event: app.ev("greet") }], checkpointing: false },
    async ({ event, step }) => {
      const name = String(event.data.name ?? "ada");
      const user = await step.run("fetch-user", () => {
        count(greetCalls.fetchUser, name);
        return { name };
      });
      await step.sleep("pause", "1s");
      return step.run("say-hello", () => {
        count(greetCalls.sayHello, name);
        return `hello ${user.name}`;
      });
    },
  );
  const flaky = app.inngest.createFunction(
    { id: "flaky", retries: 1, triggers: [{ event: app.ev("flaky") }] },
    async ({ step }) =>
      step.run("explode", () => {
        throw new Error("kaboom from step");
      }),
  );
  const waiter = app.inngest.createFunction(
    { id: "waiter", triggers: [{ event: app.ev("wait") }] },
    async ({ step }) => {
      await step.waitForEvent("wait-for-approval", { event: app.ev("approve"), timeout: "1h" });
      throw new NonRetriableError("never approved");
    },
  );
  await app.start([greet, flaky, waiter]);
  runs.completed = await app.final(await app.send("greet", { name: "grace" }));
  runs.failed = await app.final(await app.send("flaky", { n: 1 }));
  runs.waiting = await app.runOf(await app.send("wait"));
  await app.untilWaiting(run("waiting").run_id, "wait-for-approval");
  browser = await launchBrowser();
  page = await newPage(1280);
  page.setDefaultTimeout(TIMEOUT);
}, 120_000);

afterEach(async (ctx) => {
  // A failing test leaves what the page showed.
  if (ctx.task.result?.state === "fail" && page) {
    await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => undefined);
    // A fresh document for the next test: no dialog or state left over from this one.
    await page.goto("about:blank").catch(() => undefined);
  }
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("dashboard pages", () => {
  it("is served at / by tideline dev and shows the synced app with its URL, SDK and a Re-sync", async () => {
    await page.goto(`${app.url}/`);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Apps", exact: true })
      .click();
    await heading("Apps").waitFor();
    const card = page.getByTestId("app-card").filter({ hasText: app.appId });
    await card
      .getByText(/\/api\/inngest/)
      .first()
      .waitFor();
    await expect(card.textContent()).resolves.toMatch(/js/i);
    await expect(card.textContent()).resolves.toMatch(/3 functions|functions\s*3/i);
    await card.getByRole("button", { name: "Re-sync" }).click();
    await card.getByRole("status").filter({ hasText: "Synced" }).waitFor();
    await shot("apps");
  });

  it("lists functions with their triggers, retries and recent run counts", async () => {
    await open("/functions");
    await heading("Functions").waitFor();
    const flaky = page.getByTestId("function-card").filter({ hasText: app.ev("flaky") });
    await flaky.waitFor();
    const text = (await flaky.textContent()) ?? "";
    expect(text).toMatch(/retries\D*1/i);
    const stats = flaky.getByTestId("run-stats");
    await waitFor(async () => /1 failed|failed\s*1/i.test((await stats.textContent()) ?? ""), {
      timeoutMs: TIMEOUT,
      what: "the flaky function's failed run in its stats",
    });
    await shot("functions");
  });

  it("streams events with their payloads and the runs they started, filtered by name", async () => {
    await open("/events");
    await heading("Events").waitFor();
    // Every app's events are listed before the filter applies.
    await page
      .getByTestId("event-row")
      .filter({ hasText: app.ev("flaky") })
      .first()
      .waitFor();
    await page.getByLabel("Event name").fill(app.ev("greet"));
    await page.waitForURL((u) => u.hash.includes(`name=${encodeURIComponent(app.ev("greet"))}`));
    // The filtered list: not empty, and only greet events (not a list emptied while it loads).
    await waitFor(
      async () => {
        const cards = await page.getByTestId("event-row").allTextContents();
        return (
          cards.length > 0 &&
          cards.every((text) => text.includes(app.ev("greet")) && !text.includes(app.ev("flaky")))
        );
      },
      { timeoutMs: TIMEOUT, what: "the name filter to list greet events only" },
    );
    const row = page
      .getByTestId("event-row")
      .filter({ hasText: app.ev("greet") })
      .first();
    await row.getByRole("button", { name: "Show payload" }).click();
    await row
      .getByText(/"grace"/)
      .first()
      .waitFor();
    await row
      .getByRole("link", { name: new RegExp(run("completed").run_id.slice(-6), "i") })
      .first()
      .waitFor();
    await shot("events");
  });

  it("lists runs filtered by status, with cost", async () => {
    await open("/runs");
    await heading("Runs").waitFor();
    await page.getByTestId("run-row").first().waitFor();
    expect(await page.getByTestId("run-row").count()).toBeGreaterThanOrEqual(3);
    await shot("runs");
    await page.getByRole("group", { name: "Status" }).getByText("Failed", { exact: true }).click();
    await waitFor(
      async () => {
        const rows = page.getByTestId("run-row");
        const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")));
        return ids.length === 1 && ids[0] === run("failed").run_id;
      },
      { timeoutMs: TIMEOUT, what: "only the failed run listed" },
    );
    expect(page.url()).toMatch(/status=FAILED/);
    // Each row prices its run.
    const failedRow = page.locator(`[data-testid="run-row"][data-run-id="${run("failed").run_id}"]`);
    await failedRow
      .getByText(/^\$0\.\d+$/)
      .first()
      .waitFor();
    await shot("runs-failed");
  });

  it("shows a failed run's error and both attempts on its timeline", async () => {
    await open(`/runs/${run("failed").run_id}`);
    await heading(new RegExp(run("failed").run_id)).waitFor();
    await page.getByTestId("run-status").getByText("FAILED").waitFor();
    await page.getByText("kaboom from step").first().waitFor();
    const step = page.getByTestId("timeline-row").filter({ hasText: "explode" });
    await expect(step.textContent()).resolves.toMatch(/2 attempts/);
    await step.click();
    await page.getByTestId("timeline-attempt-row").nth(1).waitFor();
    expect(await page.getByTestId("timeline-attempt-row").count()).toBe(2);
    await page.getByTestId("span-error").first().waitFor();
    await shot("run-failed");
  });

  it("draws a completed run's steps and its sleep, expands an output, and prices the run", async () => {
    await open(`/runs/${run("completed").run_id}`);
    await page.getByTestId("run-status").getByText("COMPLETED").waitFor();
    const rows = page.getByTestId("timeline-row");
    await rows.filter({ hasText: "say-hello" }).waitFor();
    const names = await rows.allTextContents();
    expect(names.join("|")).toMatch(/fetch-user.*pause.*say-hello/);
    const hello = rows.filter({ hasText: "say-hello" });
    await hello.focus();
    await page.keyboard.press("Enter");
    await page
      .getByTestId("span-output")
      .getByText(/hello grace/)
      .first()
      .waitFor();
    await expect(page.getByTestId("run-cost").textContent()).resolves.toMatch(/\$\d/);
    await page.getByTestId("cost-breakdown").getByText("DynamoDB").first().waitFor();
    await shot("run-completed");
  });
});

describe("dashboard actions", () => {
  it("cancels a waiting run after confirmation", async () => {
    const id = run("waiting").run_id;
    await open(`/runs/${id}`);
    await page.getByTestId("run-status").getByText("RUNNING").waitFor();
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.getByRole("button", { name: "Confirm cancellation" }).click();
    await page.getByTestId("run-status").getByText("CANCELLED").waitFor();
    expect((await restRun(id)).status).toBe("Cancelled");
    await shot("run-cancelled");
  });

  it("sends a test event from the JSON editor and the event starts a run", async () => {
    await open("/runs");
    await page.getByRole("button", { name: "Send test event" }).click();
    const dialog = page.getByRole("dialog", { name: "Send test event" });
    const name = `sent-${randomSuffix()}`;
    await dialog.getByLabel("Event JSON").fill(JSON.stringify({ name: app.ev("greet"), data: { name } }));
    await shot("send-event");
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await dialog.getByText("Event sent").waitFor();
    const link = dialog.getByRole("link").first();
    const eventId = /[0-9A-HJKMNP-TV-Z]{26}/.exec((await link.getAttribute("href")) ?? "")?.[0];
    if (!eventId) throw new Error("no event id linked");
    const started = await firstRunOf(app.url, eventId);
    expect(started.function_id).toMatch(/greet/);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  });

  it("replays the run on screen and reruns it from a step, each a new run that completes", async () => {
    const original = run("completed");
    const ran = () => ({
      fetchUser: greetCalls.fetchUser.get("grace") ?? 0,
      sayHello: greetCalls.sayHello.get("grace") ?? 0,
    });
    // Another run's page first: the run page stays mounted as the address changes to the original.
    await open(`/runs/${run("failed").run_id}`);
    await page.getByTestId("run-status").getByText("FAILED").waitFor();
    await open(`/runs/${original.run_id}`);
    await heading(new RegExp(original.run_id)).waitFor();
    const beforeReplay = ran();
    await page.getByRole("button", { name: "Replay" }).click();
    await page.waitForURL((u) => /#\/runs\/[0-9A-Z]{26}/.test(u.hash) && !u.hash.includes(original.run_id));
    const replayed = /runs\/([0-9A-Z]{26})/.exec(page.url())?.[1] ?? "";
    // The new run's page (its heading and status render together, never the old run's status).
    await heading(new RegExp(replayed)).waitFor();
    expect(await finalStatus()).toBe("COMPLETED");
    const replay = await restRun(replayed);
    expect(replay).toMatchObject({ output: "hello grace", event_id: original.event_id });
    expect(replay.function_id).toBe(original.function_id);
    // A replay runs every step again.
    expect(ran().fetchUser).toBeGreaterThan(beforeReplay.fetchUser);
    expect(ran().sayHello).toBeGreaterThan(beforeReplay.sayHello);

    await open(`/runs/${original.run_id}`);
    await heading(new RegExp(original.run_id)).waitFor();
    await page.getByTestId("timeline-row").filter({ hasText: "say-hello" }).click();
    const beforeRerun = ran();
    await page.getByRole("button", { name: "Rerun from this step" }).click();
    await page.waitForURL((u) => !u.hash.includes(original.run_id) && !u.hash.includes(replayed));
    const rerun = /runs\/([0-9A-Z]{26})/.exec(page.url())?.[1] ?? "";
    await heading(new RegExp(rerun)).waitFor();
    expect(await finalStatus()).toBe("COMPLETED");
    expect(await restRun(rerun)).toMatchObject({ output: "hello grace", event_id: original.event_id });
    // From say-hello: fetch-user's result is kept, not fetched again; say-hello runs once more.
    expect(ran().fetchUser).toBe(beforeRerun.fetchUser);
    expect(ran().sayHello).toBeGreaterThan(beforeRerun.sayHello);
    // The timeline says which results were carried over.
    const rows = page.getByTestId("timeline-row");
    await rows
      .filter({ hasText: "fetch-user" })
      .getByText(/memoized/)
      .waitFor();
    expect(await rows.filter({ hasText: "say-hello" }).textContent()).not.toMatch(/memoized/);
    await shot("run-rerun");
  });

  it("refreshes the runs list and a run page by themselves while the run moves", async () => {
    await open("/runs");
    await heading("Runs").waitFor();
    await page.getByTestId("run-row").first().waitFor();
    // Started outside the dashboard: only the list's own refresh can show it.
    const eventId = await app.send("wait");
    const { run_id } = await app.runOf(eventId);
    const row = page.locator(`[data-testid="run-row"][data-run-id="${run_id}"]`);
    await row.getByRole("link", { name: run_id }).click();
    await heading(new RegExp(run_id)).waitFor();
    await page
      .getByTestId("run-status")
      .getByText(/RUNNING|QUEUED/)
      .waitFor();
    await app.untilWaiting(run_id, "wait-for-approval");
    await app.inngest.send({ name: app.ev("approve"), data: {} });
    // No reload: the page polls and shows the run failing (the function throws once approved).
    expect(await finalStatus()).toBe("FAILED");
  });
});

describe("dashboard usability", () => {
  it("fits a phone's width on every page, with the navigation behind a burger", async () => {
    const phone = await newPage(375);
    phone.setDefaultTimeout(TIMEOUT);
    const failed = run("failed");
    try {
      // Each page once its content is drawn (a hash change is no new load: networkidle says nothing).
      for (const [hash, name, shotName, ready] of [
        ["/apps", "Apps", "apps", () => phone.getByTestId("app-card").first()],
        ["/functions", "Functions", "functions", () => phone.getByTestId("function-card").first()],
        ["/events", "Events", "events", () => phone.getByTestId("event-row").first()],
        ["/runs", "Runs", "runs", () => phone.getByTestId("run-row").first()],
        [`/runs/${failed.run_id}`, new RegExp(failed.run_id), "run", () => phone.getByTestId("span-error")],
        [
          `/events/${failed.event_id}`,
          new RegExp(failed.event_id),
          "event",
          () => phone.getByRole("region", { name: "Event payload" }),
        ],
      ] as const) {
        await open(hash, phone);
        await heading(name, phone).waitFor();
        await ready().waitFor();
        const overflow = await phone.evaluate<number>("document.documentElement.scrollWidth");
        expect(overflow, `${hash} is wider than the phone`).toBeLessThanOrEqual(375);
        await shot(`phone-${shotName}`, phone);
      }
      // Collapsed: the navigation sits off screen until the burger opens it.
      const nav = phone.getByRole("navigation", { name: "Main" });
      const navRight = () => nav.evaluate((el) => el.getBoundingClientRect().right);
      expect(await navRight()).toBeLessThanOrEqual(0);
      await phone.getByRole("button", { name: "Open navigation" }).click();
      await waitFor(async () => (await navRight()) > 0, {
        timeoutMs: TIMEOUT,
        what: "the navigation to open",
      });
      await phone.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
      await heading("Events", phone).waitFor();
    } finally {
      await phone.close();
    }
  });

  it("can be driven by the keyboard: skip to the content, tab to a nav link, land on the new page's heading", async () => {
    const keys = await newPage(1280);
    keys.setDefaultTimeout(TIMEOUT);
    /** What has the focus: its tag, its id and its text. */
    const focused = () =>
      keys.evaluate<{ tag: string; id: string; text: string; inMain: boolean }>(`(() => {
        const el = document.activeElement;
        return {
          tag: el?.tagName ?? "",
          id: el?.id ?? "",
          text: (el?.textContent ?? "").trim(),
          inMain: Boolean(el && el !== document.getElementById("main") && document.getElementById("main")?.contains(el)),
        };
      })()`);
    try {
      await open("/apps", keys);
      await heading("Apps", keys).waitFor();
      // The first Tab of a fresh page is the skip link; it moves focus past the header and navigation.
      await keys.keyboard.press("Tab");
      expect((await focused()).text).toBe("Skip to content");
      await keys.keyboard.press("Enter");
      expect((await focused()).id).toBe("main");
      await keys.keyboard.press("Tab");
      expect((await focused()).inMain).toBe(true);

      await open("/apps", keys);
      await keys.reload();
      await heading("Apps", keys).waitFor();
      let now = await focused();
      for (let i = 0; i < 30 && now.text !== "Runs"; i++) {
        await keys.keyboard.press("Tab");
        now = await focused();
      }
      expect(now.text).toBe("Runs");
      await keys.keyboard.press("Enter");
      await heading("Runs", keys).waitFor();
      // Focus follows the navigation: onto the new page's heading, so the next Tab is in the page.
      await waitFor(async () => (await focused()).tag === "H1", {
        timeoutMs: TIMEOUT,
        intervalMs: 50,
        what: "the Runs heading to take the focus",
      });
      expect((await focused()).text).toBe("Runs");
      await keys.keyboard.press("Tab");
      expect((await focused()).inMain).toBe(true);
      // A filter changes the query string, not the page: the focus stays on the filter.
      const failed = keys.getByRole("group", { name: "Status" }).getByRole("checkbox", { name: "Failed" });
      await failed.focus();
      await keys.keyboard.press("Space");
      await waitFor(
        async () =>
          /status=FAILED/.test(keys.url()) &&
          (await keys
            .getByTestId("run-row")
            .evaluateAll(
              (rows) =>
                rows.length > 0 &&
                rows.every((r) => r.querySelector("[data-status]")?.getAttribute("data-status") === "FAILED"),
            )),
        { timeoutMs: TIMEOUT, intervalMs: 50, what: "the runs list filtered by the keyboard" },
      );
      expect(await failed.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    } finally {
      await keys.close();
    }
  });

  /**
   * A page on a clock the test moves (minutes of polling pass without being waited out), whose
   * GraphQL requests of one operation are counted and answered as `answer` says: passed on, or
   * refused with that HTTP status and a GraphQL error.
   */
  async function clockedPage(operation: string) {
    const target = await newPage(1280);
    target.setDefaultTimeout(TIMEOUT);
    await target.clock.install();
    const state = { asked: 0, answer: "pass" as "pass" | number };
    await target.route("**/v0/gql", async (route) => {
      const body = route.request().postData() ?? "";
      if (body.includes("BARRIER")) return route.fulfill({ json: { data: {} } });
      if (!body.includes(`query ${operation}(`)) return route.continue();
      state.asked++;
      if (state.answer === "pass") return route.continue();
      return route.fulfill({
        status: state.answer,
        json: { data: null, errors: [{ message: `planted ${state.answer}` }] },
      });
    });
    /** Moves the clock, then waits for a request that every poll issued meanwhile precedes: how many came. */
    const polledDuring = async (ms: number) => {
      const before = state.asked;
      await target.clock.runFor(ms);
      await target.evaluate(`fetch("/v0/gql", { method: "POST", body: "BARRIER" }).then((r) => r.text())`);
      return state.asked - before;
    };
    return { page: target, state, polledDuring };
  }

  it("keeps refreshing a run's page through a 500, stops at a refusal (a GraphQL error, a 499), and asks again on Retry", async () => {
    const { page: fresh, state, polledDuring } = await clockedPage("Run");
    try {
      // Until it knows the run has ended, a run's page polls every 2 s.
      state.answer = 500;
      await open(`/runs/${run("waiting").run_id}`, fresh);
      await fresh.getByTestId("error-state").getByText("planted 500").waitFor();
      // A poll in flight absorbs the ticks of a jump, so the clock moves one interval at a time.
      let polls = 0;
      for (let i = 0; i < 10 && polls < 3; i++) polls += await polledDuring(2_100);
      expect(polls, "polls through a 500").toBe(3);
      // The next poll meets a GraphQL error (HTTP 200); after it, a minute passes without a request.
      state.answer = 200;
      await fresh.clock.runFor(2_100);
      await fresh.getByTestId("error-state").getByText("planted 200").waitFor();
      expect(await polledDuring(60_000), "after a GraphQL error").toBe(0);
      // Retry asks once, and meets a 499: still a refusal.
      state.answer = 499;
      const asked = state.asked;
      await fresh.getByRole("button", { name: "Retry" }).click();
      await fresh.getByTestId("error-state").getByText("planted 499").waitFor();
      expect(state.asked).toBe(asked + 1);
      expect(await polledDuring(60_000), "after a 499").toBe(0);
      state.answer = "pass";
      const before = state.asked;
      await fresh.getByRole("button", { name: "Retry" }).click();
      await fresh.getByTestId("run-status").waitFor();
      expect(state.asked).toBe(before + 1);
    } finally {
      await fresh.close();
    }
  });

  it("stops refreshing the runs list when the API refuses it, polling it until then", async () => {
    const { page: fresh, state, polledDuring } = await clockedPage("Runs");
    try {
      await open("/runs", fresh);
      await fresh.getByTestId("run-row").first().waitFor();
      // One page loaded: a poll every 2 s.
      expect(await polledDuring(2_100)).toBe(1);
      state.answer = 400;
      await fresh.clock.runFor(2_100);
      await fresh.getByTestId("error-state").getByText("planted 400").waitFor();
      expect(await polledDuring(60_000)).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it("refreshes the functions page's run stats once a minute, not sooner", async () => {
    const { page: fresh, polledDuring } = await clockedPage("Functions");
    try {
      await open("/functions", fresh);
      await fresh.getByTestId("run-stats").first().waitFor();
      expect(await polledDuring(58_000)).toBe(0);
      expect(await polledDuring(4_000)).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it("says when the API cannot be reached, and recovers on retry", async () => {
    const fresh = await newPage(1280);
    fresh.setDefaultTimeout(TIMEOUT);
    try {
      await fresh.route("**/v0/gql", (route) => route.abort("connectionrefused"));
      await open("/runs", fresh);
      await fresh
        .getByTestId("error-state")
        .getByText(/can.t reach/i)
        .waitFor();
      await shot("error-unreachable", fresh);
      await fresh.unroute("**/v0/gql");
      await fresh.getByRole("button", { name: "Retry" }).click();
      await fresh.getByTestId("run-row").first().waitFor();
    } finally {
      await fresh.close();
    }
  });
});
