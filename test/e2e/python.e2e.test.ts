import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { silentLogger } from "../../infra/local/log.js";
import { projectRoot } from "../../infra/local/paths.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { type RestRun, randomSuffix, waitFor, waitForFinalRun } from "../helpers/index.js";

/**
 * The official Python SDK (installed by `npm test` into .tideline/sdk-venv) against tideline dev:
 * the same functions served with Flask (sync handlers, python/app.py) and with FastAPI under
 * uvicorn (async handlers, python/fastapi_app.py), one app process per framework. Both apps use
 * one runtime: handler modules read process.env once when they load, so a second runtime in the
 * same process would run against the first one's resources. App ids and event names differ.
 */
const python = join(projectRoot, ".tideline", "sdk-venv", "bin", "python");
const FRAMEWORKS = ["flask", "fastapi"] as const;
type Framework = (typeof FRAMEWORKS)[number];
const APP_MODULES: Record<Framework, string> = { flask: "app.py", fastapi: "fastapi_app.py" };
/** The `framework` each adapter reports when it syncs. */
const SDK_FRAMEWORKS: Record<Framework, string> = { flask: "flask", fastapi: "fast_api" };
const suffix = randomSuffix();
const workDir = mkdtempSync(join(tmpdir(), "tideline-py-"));

let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;

interface Call {
  name: string;
  attempt: number;
  [field: string]: unknown;
}

/** The last lines of a file, for a failure message. */
function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * One framework's app: its ids, the calls its steps recorded, sending its events, and starting and
 * stopping its process.
 */
function pythonApp(framework: Framework) {
  const appId = `py-${framework}-app-${suffix}`;
  const prefix = `py-${framework}-${suffix}`;
  const callsFile = join(workDir, `${framework}-calls.jsonl`);
  /** The app's stdout and stderr (server and SDK logs), kept for diagnosing a failure. */
  const appLog = join(workDir, `${framework}-app.log`);
  let child: ChildProcess | undefined;
  let exited: string | undefined;

  function calls(): Call[] {
    if (!existsSync(callsFile)) return [];
    return readFileSync(callsFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Call);
  }

  /** The calls of one step name (optionally of one run's tag), in order. */
  const callsOf = (name: string, tag?: string): Call[] =>
    calls().filter((c) => c.name === name && (tag === undefined || c.tag === tag));

  /** Sends `<prefix>/<name>` with `data`; the event's id. */
  async function send(name: string, data: Record<string, unknown> = {}): Promise<string> {
    const res = await fetch(`${runtime.url}/e/any`, {
      method: "POST",
      body: JSON.stringify({ name: `${prefix}/${name}`, data }),
    });
    expect(res.status).toBe(200);
    const { ids } = (await res.json()) as { ids: string[] };
    return ids[0] ?? "";
  }

  async function sendAndWait(name: string, data: Record<string, unknown> = {}): Promise<RestRun> {
    return waitForFinalRun(runtime.url, await send(name, data));
  }

  /** Starts the app on a free port and syncs it (its PUT registers it with the runtime). */
  async function start(): Promise<void> {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}/api/inngest`;
    const logFd = openSync(appLog, "a");
    const proc = spawn(python, [join(projectRoot, "test", "e2e", "python", APP_MODULES[framework])], {
      env: {
        ...process.env,
        PORT: String(port),
        APP_ID: appId,
        EVENT_PREFIX: prefix,
        CALLS_FILE: callsFile,
        INNGEST_DEV: "1",
        INNGEST_BASE_URL: runtime.url,
      },
      stdio: ["ignore", logFd, logFd],
    });
    closeSync(logFd);
    child = proc;
    proc.once("exit", (code, signal) => {
      exited = `exited (code ${code}, signal ${signal})`;
    });
    const put = await waitFor(
      // Stops at once when the app died (an import error, the port taken), with its log.
      async () =>
        exited ? ("exited" as const) : await fetch(appUrl, { method: "PUT" }).catch(() => undefined),
      { timeoutMs: 30_000, intervalMs: 200, what: `the ${framework} app at ${appUrl} (log: ${appLog})` },
    );
    if (put === "exited") throw new Error(`the ${framework} app ${exited}; ${appLog}:\n${tail(appLog)}`);
    expect(put.status, tail(appLog)).toBe(200);
  }

  /** Stops the app and waits for its process to end (SIGKILL after 5 s). */
  async function stop(): Promise<void> {
    const proc = child;
    if (!proc || exited) return;
    const done = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    if (!exited) proc.kill("SIGKILL");
  }

  return { appId, prefix, calls, callsOf, send, sendAndWait, start, stop };
}

/** The id of the run an event started (`GET /v1/events/{id}/runs`, 404 until stored). */
function runIdOf(eventId: string): Promise<string> {
  return waitFor(
    async () => {
      const res = await fetch(`${runtime.url}/v1/events/${eventId}/runs`);
      if (res.status !== 200) return undefined;
      return ((await res.json()) as { data: RestRun[] }).data[0]?.run_id;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: `the run of event ${eventId}` },
  );
}

interface RunJob {
  name: string | null;
  op: string | null;
  status: string;
}

async function runStatus(runId: string): Promise<string> {
  const res = await fetch(`${runtime.url}/v1/runs/${runId}`);
  return ((await res.json()) as { data: RestRun }).data.status;
}

/**
 * Waits until the run is parked on a wait (waitForEvent, invoke) after step `after`: still Running,
 * `after` is recorded and no job is queued (GET /v1/runs/{id}/jobs lists `run.next` as "Queued";
 * the commit that writes the pause leaves it empty). The REST run view does not show pauses.
 */
function waitUntilParked(runId: string, after: string): Promise<boolean> {
  return waitFor(
    async () => {
      const res = await fetch(`${runtime.url}/v1/runs/${runId}/jobs`);
      if (res.status !== 200) return false;
      const jobs = ((await res.json()) as { data: RunJob[] }).data;
      const done = jobs.some((j) => j.name === after && j.status === "Completed");
      const queued = jobs.some((j) => j.status === "Queued");
      return done && !queued && (await runStatus(runId)) === "Running";
    },
    { timeoutMs: 15_000, intervalMs: 100, what: `run ${runId} waiting after step ${after}` },
  );
}

/** Waits until the run's sleep step `name` shows as Waiting in its jobs. */
function waitUntilSleeping(runId: string, name: string): Promise<boolean> {
  return waitFor(
    async () => {
      const res = await fetch(`${runtime.url}/v1/runs/${runId}/jobs`);
      if (res.status !== 200) return false;
      const jobs = ((await res.json()) as { data: RunJob[] }).data;
      return jobs.some((j) => j.name === name && j.op === "Sleep" && j.status === "Waiting");
    },
    { timeoutMs: 15_000, intervalMs: 100, what: `run ${runId} sleeping in step ${name}` },
  );
}

beforeAll(async () => {
  if (!existsSync(python))
    throw new Error(`${python} is missing: run \`node scripts/emulators/install.mjs --with-python-sdk\``);
  runtime = await startLocalRuntime({
    port: 0,
    prefix: `e2e-py-${suffix}`,
    log: silentLogger,
    env: { TIDELINE_RETRY_INTERVAL_SECONDS: "1" },
  });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe.each(FRAMEWORKS)("official Python SDK (%s) on tideline dev", (framework) => {
  const app = pythonApp(framework);
  const { appId, prefix, calls, callsOf, send, sendAndWait } = app;

  beforeAll(() => app.start(), 60_000);
  afterAll(() => app.stop());

  it("syncs through the framework's adapter with every function", async () => {
    const res = await fetch(`${runtime.url}/dev`);
    const info = (await res.json()) as {
      functions: { slug: string }[];
      handlers: { sdk: { appName: string; framework: string | null } }[];
    };
    expect(info.handlers.find((h) => h.sdk.appName === appId)?.sdk.framework).toBe(SDK_FRAMEWORKS[framework]);
    const slugs = info.functions.map((f) => f.slug).filter((slug) => slug.startsWith(`${appId}-`));
    // 13 functions, and the function the SDK adds for fails-handled's on_failure handler.
    expect(slugs).toHaveLength(14);
    expect(slugs).toContain(`${appId}-fails-handled-failure`);
  });

  it("runs three sequential steps exactly once and completes with the return value", async () => {
    const run = await sendAndWait("three");
    expect(run).toMatchObject({ status: "Completed", output: { sum: 6 } });
    expect(
      calls()
        .filter((c) => ["one", "two", "three"].includes(c.name))
        .map((c) => c.name),
    ).toEqual(["one", "two", "three"]);
  });

  it("retries a failing step with the next attempt number", async () => {
    const run = await sendAndWait("flaky");
    expect(run).toMatchObject({ status: "Completed", output: "ok" });
    expect(
      calls()
        .filter((c) => c.name === "shaky")
        .map((c) => c.attempt),
    ).toEqual([0, 1]);
  });

  it("fails at once on NonRetriableError", async () => {
    const run = await sendAndWait("non-retriable");
    expect(run.status).toBe("Failed");
    expect(
      calls()
        .filter((c) => c.name === "non-retriable")
        .map((c) => c.attempt),
    ).toEqual([0]);
  });

  it("sleeps between steps and runs each step once", async () => {
    const tag = randomSuffix();
    const run = await sendAndWait("sleeper", { tag });
    expect(run).toMatchObject({ status: "Completed", output: { slept: true } });
    expect(callsOf("sleep-before", tag)).toHaveLength(1);
    expect(callsOf("sleep-after", tag)).toHaveLength(1);
  });

  it("wait_for_event resumes with the event its if_exp matches", async () => {
    const id = randomSuffix();
    const eventId = await send("waiter", { id });
    const runId = await runIdOf(eventId);
    await waitUntilParked(runId, "wait-before");
    // An event of the same name with another id must not resume the run.
    await send("waiter-match", { id: `other-${id}`, which: "wrong" });
    const matchId = await send("waiter-match", { id, which: "right" });
    const run = await waitForFinalRun(runtime.url, eventId);
    expect(run).toMatchObject({
      status: "Completed",
      output: { found: { id: matchId, name: `${prefix}/waiter-match`, data: { id, which: "right" } } },
    });
    expect(callsOf("wait-before", id)).toHaveLength(1);
    expect(callsOf("wait-after", id)).toHaveLength(1);
  });

  it("wait_for_event gives None when its timeout passes", async () => {
    const before = callsOf("timeout-after").length;
    const run = await sendAndWait("wait-timeout");
    expect(run).toMatchObject({ status: "Completed", output: { timed_out: true } });
    expect(callsOf("timeout-after")).toHaveLength(before + 1);
  });

  it("invokes functions of the app: the child's result returns, a child's failure is catchable", async () => {
    const run = await sendAndWait("invoke-parent");
    expect(run).toMatchObject({
      status: "Completed",
      output: { child: { doubled: 42 }, caught: { name: "NonRetriableError", message: "child broke" } },
    });
    expect(callsOf("child-step").filter((c) => c.n === 21)).toHaveLength(1);
    expect(callsOf("child-fails")).toHaveLength(1);
    expect(callsOf("parent-after")).toHaveLength(1);
  });

  it("step.send_event returns the ids and the sent event starts its function", async () => {
    const marker = randomSuffix();
    const run = await sendAndWait("sender", { marker });
    expect(run.status).toBe("Completed");
    const { ids } = run.output as { ids: string[] };
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const target = await waitForFinalRun(runtime.url, ids[0] ?? "");
    expect(target).toMatchObject({ status: "Completed", output: { marker } });
    expect(calls().filter((c) => c.name === "target-step" && c.marker === marker)).toHaveLength(1);
  });

  it("runs on_failure with the function.failed event: the error and the original event", async () => {
    const tag = randomSuffix();
    const run = await sendAndWait("fails-handled", { tag });
    expect(run.status).toBe("Failed");
    const handled = () =>
      calls().filter((c) => c.name === "on-failure" && (c.original as { tag?: string } | null)?.tag === tag);
    const seen = await waitFor(() => handled()[0], {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: "the on_failure handler",
    });
    expect(seen).toMatchObject({
      event_name: "inngest/function.failed",
      function_id: `${appId}-fails-handled`,
      run_id: run.run_id,
      original: { tag },
      error: { name: "NonRetriableError", message: `boom ${tag}` },
    });
    // The handler's own run completes, and the handler ran once.
    const failureSlug = `${appId}-fails-handled-failure`;
    await waitFor(
      async () => {
        const res = await fetch(`${runtime.url}/v1/runs?function_id=${failureSlug}`);
        const runs = ((await res.json()) as { data: RestRun[] }).data;
        return runs.length === 1 && runs[0]?.status === "Completed";
      },
      { timeoutMs: 15_000, intervalMs: 100, what: "the on_failure run to complete" },
    );
    expect(handled()).toHaveLength(1);
  });

  it("a cancel event matching if_exp cancels the sleeping run and only that one", async () => {
    const id = randomSuffix();
    const other = `other-${id}`;
    const eventId = await send("cancellable", { id });
    const otherEventId = await send("cancellable", { id: other });
    const [runId, otherRunId] = await Promise.all([runIdOf(eventId), runIdOf(otherEventId)]);
    await Promise.all([waitUntilSleeping(runId, "long-nap"), waitUntilSleeping(otherRunId, "long-nap")]);
    await send("cancel", { id });
    const run = await waitForFinalRun(runtime.url, eventId);
    expect(run.status).toBe("Cancelled");
    expect(await runStatus(otherRunId)).toBe("Running");
    await send("cancel", { id: other });
    expect((await waitForFinalRun(runtime.url, otherEventId)).status).toBe("Cancelled");
    expect(callsOf("cancel-before", id)).toHaveLength(1);
    expect(callsOf("cancel-after", id)).toHaveLength(0);
    expect(callsOf("cancel-after", other)).toHaveLength(0);
  });
});
