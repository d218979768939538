/**
 * Large run state with the official JS SDK on `tideline dev` (PROTOCOL 4.7): once a run's state
 * would make the execution request exceed 4 MiB, Tideline sends `use_api: true` and the SDK reads
 * the run's events and steps from `GET /v0/runs/{id}/batch` and `/actions`. The client's `fetch`
 * (which the SDK uses for those calls) is wrapped to record them, so the test fails if the SDK
 * never had to ask, and a small run proves the switch is not taken below the limit.
 */
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { LIMITS } from "../../shared/protocol/constants.js";
import { randomSuffix, waitForFinalRun } from "../helpers/index.js";
import { serveOnDev } from "./serveApp.js";

const STEPS = 6;
const CHUNK = 900 * 1024;

/** A call the SDK made to the run state endpoints, with what it got. */
interface StateCall {
  runId: string;
  what: "batch" | "actions";
  status: number;
  /** /actions: how many steps the answer held; /batch: how many events. */
  count: number;
  /** The answer's content-encoding (large answers come gzipped: Lambda caps a response at 6 MB). */
  encoding: string | null;
}

const calls: StateCall[] = [];

/** The global fetch, recording every `/v0/runs/{id}/(batch|actions)` call and its answer. */
const recordingFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const res = await fetch(input, init);
  const match = /\/v0\/runs\/([^/?]+)\/(batch|actions)(?:\?|$)/.exec(new URL(url).pathname);
  if (match) {
    const body: unknown = await res
      .clone()
      .json()
      .catch(() => undefined);
    const count = Array.isArray(body)
      ? body.length
      : body && typeof body === "object"
        ? Object.keys(body).length
        : -1;
    calls.push({
      runId: decodeURIComponent(match[1] ?? ""),
      what: match[2] as StateCall["what"],
      status: res.status,
      count,
      encoding: res.headers.get("content-encoding"),
    });
  }
  return res;
};

let runtime: Awaited<ReturnType<typeof serveOnDev>>;
let inngest: Inngest;
let ev: (name: string) => string;

beforeAll(async () => {
  const suffix = randomSuffix();
  const port = await freePort();
  ev = (name) => `large-${suffix}/${name}`;
  inngest = new Inngest({
    id: `large-${suffix}`,
    isDev: true,
    baseUrl: `http://127.0.0.1:${port}`,
    fetch: recordingFetch,
  });
  const big = inngest.createFunction(
    // One request per step: with checkpointing the SDK would run every step in its first request,
    // and no request would carry the state that grows past 4 MiB.
    { id: "big-state", retries: 0, triggers: [{ event: ev("big") }], checkpointing: false },
    async ({ event, events, step }) => {
      const outputs: string[] = [];
      for (let i = 0; i < STEPS; i++) {
        // A different letter per step: a step memoized with another's value would change nothing
        // in the length, so the final step checks the letters too.
        outputs.push(await step.run(`chunk-${i}`, () => String.fromCharCode(97 + i).repeat(CHUNK)));
      }
      return step.run("total", () => ({
        total: outputs.reduce((n, s) => n + s.length, 0),
        letters: outputs.map((s) => `${s[0]}${s[s.length - 1]}`).join(","),
        events: events.length,
        tag: event.data.tag,
      }));
    },
  );
  const small = inngest.createFunction(
    { id: "small-state", retries: 0, triggers: [{ event: ev("small") }], checkpointing: false },
    async ({ step }) => {
      const a = await step.run("a", () => "x".repeat(1024));
      const b = await step.run("b", () => "y".repeat(1024));
      return a.length + b.length;
    },
  );
  runtime = await serveOnDev({
    client: inngest,
    functions: [big, small],
    port,
    prefix: `e2e-large-${suffix}`,
  });
});

afterAll(async () => {
  await runtime?.stop();
});

async function send(name: string, data: Record<string, unknown>): Promise<string> {
  const { ids } = await inngest.send({ name: ev(name), data });
  return ids[0] ?? "";
}

describe("run state over 4 MiB (use_api)", () => {
  it("completes a run of six ~900 KB steps, the SDK reading its state from /v0/runs", async () => {
    expect(STEPS * CHUNK).toBeGreaterThan(LIMITS.sdkRequestMaxBytes);
    const eventId = await send("big", { tag: "t-1" });
    const run = await waitForFinalRun(runtime.url, eventId, { timeoutMs: 50_000, intervalMs: 200 });
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({
      total: STEPS * CHUNK,
      letters: "aa,bb,cc,dd,ee,ff",
      events: 1,
      tag: "t-1",
    });

    const mine = calls.filter((c) => c.runId === run.run_id);
    const actions = mine.filter((c) => c.what === "actions");
    const batches = mine.filter((c) => c.what === "batch");
    // The SDK fetches both at once for every request sent with use_api.
    expect(actions.length).toBeGreaterThan(0);
    expect(batches.length).toBe(actions.length);
    expect(mine.every((c) => c.status === 200)).toBe(true);
    expect(batches.every((c) => c.count === 1)).toBe(true);
    // The last request held every step (the six chunks and "total") and was sent with use_api.
    expect(Math.max(...actions.map((c) => c.count))).toBe(STEPS + 1);
    // Over a MiB of steps, the answer was gzipped (and the SDK's fetch read it).
    expect(actions.every((c) => c.encoding === "gzip")).toBe(true);
  });

  it("sends small state inline (no /v0/runs call)", async () => {
    const eventId = await send("small", {});
    const run = await waitForFinalRun(runtime.url, eventId, { timeoutMs: 30_000, intervalMs: 100 });
    expect(run.status).toBe("Completed");
    expect(run.output).toBe(2048);
    expect(calls.filter((c) => c.runId === run.run_id)).toEqual([]);
  });
});
