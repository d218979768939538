import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { projectRoot } from "../../infra/local/paths.js";
import { randomSuffix, waitFor, waitForAppSync, waitForFinalRun } from "../helpers/index.js";
import { type SdkApp, startSdkApp } from "./sdkApp.js";

/**
 * `tideline dev` as people run it: a child process stopped with SIGTERM. These runs start their
 * own emulators (the ones the suite shares are left out of their environment), because what is
 * tested is what the command does with its own: stopping, and keeping state with --persist.
 */
interface Dev {
  proc: ChildProcess;
  output: () => string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function ownEmulatorsEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AWS_ENDPOINT_URL;
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  return env;
}

async function startDev(args: string[]): Promise<Dev> {
  const proc = spawn(process.execPath, ["bin/tideline.mjs", "dev", ...args], {
    cwd: projectRoot,
    env: ownEmulatorsEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  proc.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  await waitFor(() => output.includes("ready in") || proc.exitCode !== null, {
    timeoutMs: 90_000,
    intervalMs: 100,
    what: "tideline dev to be ready",
  });
  if (!output.includes("ready in")) throw new Error(`tideline dev did not start:\n${output}`);
  return { proc, output: () => output };
}

/** Sends SIGTERM and resolves with the exit code and how long the exit took. */
async function terminate(dev: Dev): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  const exited = once(dev.proc, "exit");
  dev.proc.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  return { code, ms: Date.now() - started };
}

async function appFor(port: number): Promise<SdkApp> {
  const app = await startSdkApp({ baseUrl: `http://127.0.0.1:${port}`, suffix: randomSuffix() });
  cleanups.push(() => app.stop());
  return app;
}

describe("tideline dev as a process", () => {
  it("says state lives in memory, and exits within a few seconds of SIGTERM while app requests hang", async () => {
    const port = await freePort();
    const app = await appFor(port);
    const dev = await startDev(["-p", String(port), "-u", app.url]);
    expect(dev.output()).toContain("state lives in memory");
    await waitForAppSync(`http://127.0.0.1:${port}`);
    for (let i = 0; i < 3; i++) await app.inngest.send({ name: app.ev("hang"), data: {} });
    await waitFor(() => (app.rec.calls.hang ?? 0) >= 3, { timeoutMs: 30_000, what: "three hung requests" });

    const { code, ms } = await terminate(dev);

    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
  });

  it("finishes a 10-step run stopped half-way, each step once, after a restart with --persist", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tideline-persist-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const app = await appFor(port);
    const args = ["-p", String(port), "-u", app.url, "--persist", dir];
    const first = await startDev(args);
    expect(first.output()).toContain(`state is kept in ${dir}`);
    await waitForAppSync(`http://127.0.0.1:${port}`);
    const tag = randomSuffix();
    const { ids } = await app.inngest.send({ name: app.ev("ten"), data: { tag, pauseMs: 200 } });
    const ran = (i: number) => app.rec.calls[`ten:${tag}:${i}`] ?? 0;
    await waitFor(() => ran(4) > 0, { timeoutMs: 30_000, what: "step 4 of 10" });

    expect((await terminate(first)).code).toBe(0);
    const stoppedAt = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((i) => ran(i) > 0).length;
    expect(stoppedAt).toBeLessThan(10);

    await startDev(args);
    const run = await waitForFinalRun(`http://127.0.0.1:${port}`, ids[0] ?? "", { timeoutMs: 60_000 });

    expect(run).toMatchObject({ status: "Completed", output: { sum: 55 } });
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(ran)).toEqual(Array(10).fill(1));
  });
});
