import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { randomSuffix, waitForFinalRun } from "../helpers/index.js";
import { type SdkApp, startSdkApp } from "./sdkApp.js";

/**
 * Cloud mode end to end: the SDK runs with a signing key (it rejects unsigned or badly signed
 * requests and signs its answers) and an event key, as it would against a deployed stack.
 */
const SIGNING_KEY = `signkey-test-${"a1b2c3d4".repeat(8)}`;
const EVENT_KEY = `evt-${randomSuffix()}`;

let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
let app: SdkApp;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    port: 0,
    prefix: `e2e-signed-${randomSuffix()}`,
    log: silentLogger,
    env: {
      TIDELINE_MODE: "cloud",
      TIDELINE_SIGNING_KEY: SIGNING_KEY,
      TIDELINE_EVENT_KEY_HASHES: createHash("sha256").update(EVENT_KEY).digest("hex"),
    },
  });
  app = await startSdkApp({
    baseUrl: runtime.url,
    suffix: randomSuffix(),
    cloud: { signingKey: SIGNING_KEY, eventKey: EVENT_KEY },
  });
  const put = await fetch(app.url, { method: "PUT" });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await runtime?.stop();
});

describe("signed execution in cloud mode", () => {
  it("runs a three-step function with signed requests and verified responses", async () => {
    const { ids } = await app.inngest.send({ name: app.ev("three"), data: { tag: "signed" } });
    const run = await waitForFinalRun(runtime.url, ids[0] ?? "", {
      headers: { authorization: `Bearer ${SIGNING_KEY}` },
    });
    expect(run).toMatchObject({ status: "Completed", output: { sum: 6 } });
    expect(app.rec.calls["one:signed"]).toBe(1);
  });

  it("refuses REST calls without the signing key", async () => {
    const res = await fetch(`${runtime.url}/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    expect(res.status).toBe(401);
  });

  it("refuses events sent with an unknown event key", async () => {
    const res = await fetch(`${runtime.url}/e/not-the-key`, {
      method: "POST",
      body: JSON.stringify({ name: "a/b" }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, error: "Event key not found" });
  });

  it("refuses events sent without an event key (the SDKs' NO_EVENT_KEY_SET placeholder)", async () => {
    const res = await fetch(`${runtime.url}/e/NO_EVENT_KEY_SET`, {
      method: "POST",
      body: JSON.stringify({ name: "a/b" }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, error: "Event key is required" });
  });

  it("answers GET /dev only with the signing key (it lists app URLs and trigger expressions)", async () => {
    expect((await fetch(`${runtime.url}/dev`)).status).toBe(401);
    expect(
      (await fetch(`${runtime.url}/dev`, { headers: { authorization: "Bearer signkey-test-00" } })).status,
    ).toBe(401);
    const res = await fetch(`${runtime.url}/dev`, { headers: { authorization: `Bearer ${SIGNING_KEY}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ startOpts: { require_keys: true } });
  });

  it("checks the key before the path: a malformed path is 401 without the key and 400 with it", async () => {
    expect((await fetch(`${runtime.url}/v1/runs/%ZZ`)).status).toBe(401);
    const res = await fetch(`${runtime.url}/v1/runs/%ZZ`, {
      headers: { authorization: `Bearer ${SIGNING_KEY}` },
    });
    expect(res.status).toBe(400);
  });

  it("refuses to sync URLs that lead to metadata, link-local or loopback addresses", async () => {
    const sync = (url: string) =>
      fetch(`${runtime.url}/v1/apps/sync`, {
        method: "POST",
        headers: { authorization: `Bearer ${SIGNING_KEY}` },
        body: JSON.stringify({ url }),
      });
    for (const [url, kind] of [
      ["http://169.254.169.254/latest/meta-data/", "link-local (cloud metadata)"],
      ["http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"],
      ["http://localhost:3000/api/inngest", "loopback"],
    ] as const) {
      const res = await sync(url);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: expect.stringContaining(`${kind} address`) });
    }
  });
});
