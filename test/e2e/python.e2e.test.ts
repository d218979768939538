import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { silentLogger } from "../../infra/local/log.js";
import { projectRoot } from "../../infra/local/paths.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { type RestRun, randomSuffix, waitFor, waitForFinalRun } from "../helpers/index.js";

/** The official Python SDK (installed by `npm test` into .tideline/sdk-venv) against tideline dev. */
const python = join(projectRoot, ".tideline", "sdk-venv", "bin", "python");
const suffix = randomSuffix();
const prefix = `py-${suffix}`;
const callsFile = join(mkdtempSync(join(tmpdir(), "tideline-py-")), "calls.jsonl");

let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
let child: ChildProcess;
let appUrl: string;

function calls(): { name: string; attempt: number }[] {
  if (!existsSync(callsFile)) return [];
  return readFileSync(callsFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { name: string; attempt: number });
}

async function sendAndWait(name: string): Promise<RestRun> {
  const res = await fetch(`${runtime.url}/e/any`, {
    method: "POST",
    body: JSON.stringify({ name: `${prefix}/${name}` }),
  });
  const { ids } = (await res.json()) as { ids: string[] };
  return waitForFinalRun(runtime.url, ids[0] ?? "");
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
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}/api/inngest`;
  child = spawn(python, [join(projectRoot, "test", "e2e", "python", "app.py")], {
    env: {
      ...process.env,
      PORT: String(port),
      APP_ID: `py-app-${suffix}`,
      EVENT_PREFIX: prefix,
      CALLS_FILE: callsFile,
      INNGEST_DEV: "1",
      INNGEST_BASE_URL: runtime.url,
    },
    stdio: "ignore",
  });
  const put = await waitFor(
    async () => {
      const r = await fetch(appUrl, { method: "PUT" }).catch(() => undefined);
      return r;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  child?.kill();
  await runtime?.stop();
});

describe("official Python SDK on tideline dev", () => {
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
});
