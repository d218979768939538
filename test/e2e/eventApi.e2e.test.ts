import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { randomSuffix } from "../helpers/index.js";

let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;

beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, prefix: `e2e-ev-${randomSuffix()}` });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${runtime.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as { ids?: string[]; status?: number; error?: string },
  };
}

describe("Event API on tideline dev", () => {
  it("accepts a single event object and answers ids with status 200 in the body", async () => {
    const r = await post("/e/any-key", JSON.stringify({ name: "demo/one", data: { a: 1 } }));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe(200);
    expect(r.body.ids).toHaveLength(1);
    expect(r.body.ids?.[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("keeps the same ids when the SDK retries with the same seed header", async () => {
    const seed = `${Date.now()},${Buffer.from("0123456789").toString("base64")}`;
    const body = JSON.stringify([{ name: "demo/a" }, { name: "demo/b" }]);
    const first = await post("/e/k", body, { "x-inngest-event-id-seed": seed });
    const again = await post("/e/k", body, { "x-inngest-event-id-seed": seed });
    expect(first.body.ids).toHaveLength(2);
    expect(again.body.ids).toEqual(first.body.ids);
    expect(first.body.ids?.[0]).not.toBe(first.body.ids?.[1]);
  });

  it.each([
    ["a body that is not JSON", "{nope", "event object"],
    ["an event without a name", JSON.stringify({ data: {} }), "name"],
    ["a reserved inngest/ name", JSON.stringify({ name: "inngest/function.failed" }), "reserved"],
    ["an empty array", "[]", ""],
  ])("rejects %s with 400 and a reason", async (_label, body, reason) => {
    const r = await post("/e/k", body);
    expect(r.status).toBe(400);
    expect(r.body.status).toBe(400);
    expect(r.body.error).toEqual(expect.stringContaining(reason));
  });

  it("rejects an oversized event with a size error", async () => {
    const r = await post("/e/k", JSON.stringify({ name: "demo/big", data: { x: "y".repeat(600 * 1024) } }));
    expect([400, 413]).toContain(r.status);
    expect(r.body.error).toMatch(/size|large/i);
  });

  it("answers a bad app registration with status and error in the body", async () => {
    const r = await post(
      "/fn/register",
      JSON.stringify({ appName: "x", url: "http://x", functions: [{ id: "" }] }),
    );
    expect(r.status).toBe(400);
    expect(r.body.status).toBe(400);
    expect(r.body.error).toContain("invalid");
  });
});
