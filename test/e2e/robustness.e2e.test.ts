import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { awsClients } from "../../shared/adapters/aws/clients.js";
import { deterministicUlid } from "../../shared/domain/ids.js";
import type { AcceptedEvent } from "../../shared/domain/schemas.js";
import { LIMITS } from "../../shared/protocol/constants.js";
import { BUCKETS, STREAMS } from "../../shared/resources.js";
import { randomSuffix, waitFor, waitForAppSync, waitForFinalRun } from "../helpers/index.js";
import { type SdkApp, startSdkApp } from "./sdkApp.js";

/**
 * What a hostile or careless user can do to `tideline dev` (dev mode, no keys): deep events, poison
 * stream records, an app that never answers, cross-site browser requests, malformed paths, sync
 * targets that do not answer. Each must end in a clear answer, never a stuck pipeline or a 500.
 */
let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
let app: SdkApp;

beforeAll(async () => {
  const suffix = randomSuffix();
  const port = await freePort();
  app = await startSdkApp({ baseUrl: `http://127.0.0.1:${port}`, suffix });
  runtime = await startLocalRuntime({
    port,
    prefix: `e2e-rob-${suffix}`,
    appUrls: [app.url],
    log: silentLogger,
    env: { TIDELINE_RETRY_INTERVAL_SECONDS: "1" },
  });
  await waitForAppSync(runtime.url);
}, 120_000);

afterAll(async () => {
  app?.release();
  await app?.stop();
  await runtime?.stop({ graceMs: 2000 });
});

/** `depth` nested objects: {"a":{"a":…{}}}. */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;
}

/** The `error` field of a JSON answer. */
async function errorOf(res: Response): Promise<string> {
  const body: unknown = await res.json();
  return typeof body === "object" && body !== null && "error" in body ? String(body.error) : "";
}

/** An accepted event as the Event API would put it on the stream, its data nested `depth` deep. */
function deepEvent(depth: number): string {
  const id = deterministicUlid(Date.now(), randomSuffix());
  const event = `{"name":"${app.ev("hello")}","data":${nested(depth)},"id":"${id}","ts":${Date.now()},"user":{}}`;
  return `{"internalId":"${id}","receivedAt":${Date.now()},"event":${event}}`;
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${runtime.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

describe("deeply nested events", () => {
  it(`accepts an event nested ${LIMITS.eventMaxDepth} levels deep and refuses one level more with a 400`, async () => {
    // The event object is level 1, `data` level 2, so data's content adds depth - 2 levels.
    const event = (depth: number) => `{"name":"${app.ev("deep")}","data":${nested(depth - 1)}}`;
    expect((await post("/e/k", event(LIMITS.eventMaxDepth))).status).toBe(200);
    const refused = await post("/e/k", event(LIMITS.eventMaxDepth + 1));
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toBe(
      `event nests ${LIMITS.eventMaxDepth + 1} levels deep (objects and arrays); the limit is ${LIMITS.eventMaxDepth}`,
    );
  });

  it("answers 400, not 500, for an event nested 5,000 levels deep", async () => {
    const res = await post("/e/k", `[{"name":"x/y","data":${nested(5000)}}]`);
    expect(res.status).toBe(400);
  });

  it("skips and keeps a poison stream record, and the event behind it on the same shard still starts its run", async () => {
    const { kinesis, s3 } = awsClients();
    const stream = runtime.env[STREAMS.events.env] ?? "";
    const bucket = runtime.env[BUCKETS.payloads.env] ?? "";
    // Straight onto the stream, past the Event API, all with one partition key (so one shard, in
    // this order): an event nested too deep for the consumers, a record that is not JSON at all,
    // then a good event.
    const internalId = deterministicUlid(Date.now(), randomSuffix());
    const good: AcceptedEvent = {
      internalId,
      receivedAt: Date.now(),
      event: {
        name: app.ev("hello"),
        data: { name: "after poison" },
        id: internalId,
        ts: Date.now(),
        user: {},
      },
    };
    const shardKey = `poison-${randomSuffix()}`;
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [deepEvent(4_500), "{not json", JSON.stringify(good)].map((body) => ({
          Data: Buffer.from(body),
          PartitionKey: shardKey,
        })),
      }),
    );
    const run = await waitForFinalRun(runtime.url, internalId);
    expect(run).toMatchObject({ status: "Completed", output: "Hello, after poison!" });
    const kept = await waitFor(
      async () => {
        const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "poison/runner/" }));
        return (list.Contents ?? []).length >= 2 ? list.Contents : undefined;
      },
      { what: "two poison records in the payload bucket" },
    );
    expect(kept).toHaveLength(2);
  });
});

describe("an app that never answers", () => {
  it("holds only its own runs: other runs complete while six of its requests hang", async () => {
    const hung = await Promise.all(
      Array.from({ length: 6 }, () => app.inngest.send({ name: app.ev("hang"), data: {} })),
    );
    await waitFor(() => (app.rec.calls.hang ?? 0) >= 6, { timeoutMs: 20_000, what: "six hung requests" });
    const started = Date.now();
    const { ids } = await app.inngest.send({ name: app.ev("three"), data: { tag: "beside-hung" } });
    const run = await waitForFinalRun(runtime.url, ids[0] ?? "", { timeoutMs: 20_000 });
    expect(run.status).toBe("Completed");
    expect(Date.now() - started).toBeLessThan(15_000);
    app.release();
    for (const sent of hung) {
      expect((await waitForFinalRun(runtime.url, sent.ids[0] ?? "")).status).toBe("Completed");
    }
  });
});

describe("cross-site browser requests in dev mode", () => {
  it("refuses a text/plain registration POST from a foreign web page", async () => {
    const res = await fetch(`${runtime.url}/fn/register`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://evil.example" },
      body: JSON.stringify({ url: "https://evil.example/api", functions: [] }),
    });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toContain("cross-site");
  });

  it("refuses events and syncs from a foreign origin but takes events from a local dev page", async () => {
    expect((await post("/e/k", '{"name":"x/y"}', { origin: "https://evil.example" })).status).toBe(403);
    expect(
      (await post("/v1/apps/sync", '{"url":"http://x"}', { "sec-fetch-site": "cross-site" })).status,
    ).toBe(403);
    expect((await post("/e/k", '{"name":"x/y"}', { origin: "http://localhost:5173" })).status).toBe(200);
  });
});

describe("clear errors for client mistakes", () => {
  it("answers 400 for a malformed percent-encoding in a path", async () => {
    const res = await fetch(`${runtime.url}/v1/runs/%ZZ`);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toContain("percent-encoding");
  });

  it("answers 502 naming the failure when the app to sync is not listening", async () => {
    const closed = await freePort();
    const res = await post(
      "/v1/apps/sync",
      JSON.stringify({ url: `http://127.0.0.1:${closed}/api/inngest` }),
    );
    expect(res.status).toBe(502);
    expect(await errorOf(res)).toContain("connection refused (ECONNREFUSED)");
  });

  it("answers 502 and does not follow a redirect from the app to sync", async () => {
    let hits = 0;
    const redirector: Server = createServer((_req, res) => {
      hits++;
      res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    });
    redirector.listen(0, "127.0.0.1");
    await once(redirector, "listening");
    const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/api/inngest`;
    try {
      const res = await post("/v1/apps/sync", JSON.stringify({ url }));
      expect(res.status).toBe(502);
      expect(await errorOf(res)).toContain("redirect to http://169.254.169.254/latest/meta-data/");
      expect(hits).toBe(1);
    } finally {
      redirector.close();
    }
  });
});
