import { describe, expect, it } from "vitest";
import { RUN_COMPLETE_ID } from "../../../shared/protocol/constants.js";
import { interpretSdkResponse, toStoredError } from "../../../shared/protocol/sdkResponse.js";

const NOW = Date.UTC(2026, 0, 1);
const SDK = { "x-inngest-sdk": "inngest-js:v4.24.0", "x-inngest-req-version": "2" };

function answer(status: number, body: unknown, headers: Record<string, string> = SDK) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return interpretSdkResponse({ status, headers, body: text }, NOW);
}

const stepRun = {
  id: "fe05bcdcdc4928012781a5f1a2a77cbb5398e106",
  op: "StepRun",
  name: "one",
  opts: {},
  displayName: "one",
  userland: { id: "one" },
  data: "1",
  timing: { a: 1795539691065000000, b: 0 },
};

describe("interpretSdkResponse: completion", () => {
  it("completes with the body of a 200", () => {
    expect(answer(200, { ok: 1 })).toEqual({ kind: "complete", data: { ok: 1 }, requestVersion: 2 });
    expect(answer(200, '"Hello, Inngest!"')).toMatchObject({ kind: "complete", data: "Hello, Inngest!" });
  });

  it("completes with null when a 200 body is null or empty", () => {
    expect(answer(200, "null")).toMatchObject({ kind: "complete", data: null });
    expect(answer(200, "")).toMatchObject({ kind: "complete", data: null });
  });

  it("completes with the RunComplete data of a checkpointing 206", () => {
    const out = answer(206, [{ op: "RunComplete", id: RUN_COMPLETE_ID, data: "done" }]);
    expect(out).toEqual({ kind: "complete", data: "done", requestVersion: 2, byOp: true });
  });

  it("keeps the ops that arrive with RunComplete, lazy ones first (the engine decides what they do)", () => {
    const out = answer(206, [
      stepRun,
      { op: "DeferAdd", id: "d1", opts: { fn_slug: "x", input: {} } },
      { op: "RunComplete", id: RUN_COMPLETE_ID, data: { n: 1 } },
    ]);
    expect(out).toMatchObject({
      kind: "complete",
      data: { n: 1 },
      ops: [
        { op: "DeferAdd", id: "d1" },
        { op: "StepRun", id: stepRun.id },
      ],
    });
  });

  it("reports transport when a 200 body is not JSON", () => {
    expect(answer(200, "<html>")).toMatchObject({ kind: "transport" });
  });
});

describe("interpretSdkResponse: ops", () => {
  it("parses an op array and ignores unknown keys", () => {
    const out = answer(206, [{ ...stepRun, mode: "sync", rawArgs: ["one", null], hashedId: stepRun.id }]);
    expect(out).toEqual({ kind: "ops", ops: [stepRun], requestVersion: 2, retriable: true });
  });

  it("treats a single op object as one op", () => {
    expect(answer(206, stepRun)).toMatchObject({ kind: "ops", ops: [stepRun] });
  });

  it("returns no ops for an empty array", () => {
    expect(answer(206, [])).toMatchObject({ kind: "ops", ops: [] });
  });

  it("keeps data: null on planned steps", () => {
    const out = answer(206, [{ op: "StepPlanned", id: "b", name: "b", data: null }]);
    expect(out).toMatchObject({ kind: "ops", ops: [{ op: "StepPlanned", id: "b", name: "b", data: null }] });
    if (out.kind === "ops") expect("data" in (out.ops[0] ?? {})).toBe(true);
  });

  it("puts WaitForEvent and the lazy defer ops first and keeps the rest in order", () => {
    const out = answer(206, [
      { op: "StepPlanned", id: "a" },
      { op: "Sleep", id: "b", name: "1h" },
      { op: "WaitForEvent", id: "c", name: "demo/other", opts: { timeout: "1h" } },
      { op: "DeferAbort", id: "d" },
    ]);
    expect(out.kind === "ops" && out.ops.map((op) => op.id)).toEqual(["c", "d", "a", "b"]);
  });

  it("drops malformed optional fields instead of failing", () => {
    const out = answer(206, [{ op: "Sleep", id: "s", name: 5, opts: "x", userland: 3 }]);
    expect(out).toEqual({ kind: "ops", ops: [{ op: "Sleep", id: "s" }], requestVersion: 2, retriable: true });
  });

  it("marks ops non-retriable when x-inngest-no-retry is true", () => {
    const out = answer(206, [{ op: "StepFailed", id: "x", error: { message: "bad" } }], {
      ...SDK,
      "X-Inngest-No-Retry": "true",
    });
    expect(out).toMatchObject({ kind: "ops", retriable: false });
  });

  it("carries the retry-after time of a StepError 206 (RetryAfterError inside a step)", () => {
    const stepError = { id: "h", op: "StepError", error: { name: "RetryAfterError", message: "later" } };
    const out = answer(206, [stepError], { ...SDK, "x-inngest-no-retry": "false", "retry-after": "3" });
    expect(out).toMatchObject({ kind: "ops", retriable: true, retryAt: NOW + 3000 });
  });

  it("omits requestVersion when the header is absent", () => {
    const out = answer(206, [stepRun], { "x-inngest-sdk": "inngest-py:v0.5.18" });
    expect(out).toEqual({ kind: "ops", ops: [stepRun], retriable: true });
  });

  it("reports transport when an op lacks id or op, or the body is not JSON", () => {
    expect(answer(206, [{ op: "StepRun" }])).toMatchObject({ kind: "transport" });
    expect(answer(206, [{ id: "x" }])).toMatchObject({ kind: "transport" });
    expect(answer(206, "not json")).toMatchObject({ kind: "transport" });
    expect(answer(206, '"text"')).toMatchObject({ kind: "transport" });
  });
});

describe("interpretSdkResponse: errors", () => {
  const err = { name: "Error", message: "bad", stack: "Error: bad\n at x", __serialized: true };

  it("reports a retriable error for a 500 with no-retry false", () => {
    const out = answer(500, err, { ...SDK, "x-inngest-no-retry": "false" });
    expect(out).toEqual({ kind: "error", retriable: true, error: err, requestVersion: 2 });
  });

  it("reports a final error for a 400 with no-retry true", () => {
    expect(answer(400, err, { ...SDK, "x-inngest-no-retry": "true" })).toMatchObject({
      kind: "error",
      retriable: false,
    });
  });

  it("retries a 4xx or 5xx when the no-retry header is absent (Python, old SDKs)", () => {
    expect(answer(400, err)).toMatchObject({ kind: "error", retriable: true });
    expect(answer(500, err, { "x-inngest-sdk": "inngest-py:v0.5.18" })).toMatchObject({ retriable: true });
  });

  it("reads retry-after as the retry time", () => {
    const out = answer(500, err, { ...SDK, "retry-after": "30" });
    expect(out).toMatchObject({ kind: "error", retryAt: NOW + 30_000 });
  });

  it("builds an error from a non-JSON body", () => {
    expect(answer(500, "upstream exploded")).toMatchObject({
      kind: "error",
      error: { name: "Error", message: "upstream exploded" },
    });
    expect(answer(500, "")).toMatchObject({ error: { name: "Error", message: "HTTP 500" } });
  });

  it("accepts a Headers instance", () => {
    const headers = new Headers({ "X-Inngest-SDK": "inngest-js:v4", "x-inngest-no-retry": "true" });
    const out = interpretSdkResponse({ status: 400, headers, body: JSON.stringify(err) }, NOW);
    expect(out).toMatchObject({ kind: "error", retriable: false });
  });
});

describe("interpretSdkResponse: not from the SDK", () => {
  it("reports transport for any status when x-inngest-sdk is missing", () => {
    expect(answer(200, { ok: 1 }, {})).toMatchObject({ kind: "transport" });
    expect(answer(206, [stepRun], { "content-type": "application/json" })).toMatchObject({
      kind: "transport",
    });
    const out = answer(502, "<html>Bad Gateway</html>", {});
    expect(out.kind === "transport" && out.message).toMatch(/502.*Bad Gateway/);
  });

  it("reports transport for an unexpected SDK status", () => {
    expect(answer(204, "")).toMatchObject({ kind: "transport" });
  });
});

describe("interpretSdkResponse: streaming (201)", () => {
  it("unwraps the keep-alive envelope and recurses on the inner answer", () => {
    const envelope = JSON.stringify({
      status: 206,
      headers: { "x-inngest-no-retry": "false" },
      body: JSON.stringify([stepRun]),
      version: 2,
    });
    expect(answer(201, `   ${envelope}`)).toMatchObject({ kind: "ops", ops: [stepRun], requestVersion: 2 });
  });

  it("takes inner headers over outer ones", () => {
    const envelope = JSON.stringify({
      status: 500,
      headers: { "X-Inngest-No-Retry": "true" },
      body: JSON.stringify({ message: "boom" }),
    });
    expect(answer(201, `\n ${envelope}`, { ...SDK, "x-inngest-no-retry": "false" })).toMatchObject({
      kind: "error",
      retriable: false,
      error: { message: "boom" },
    });
  });

  it("completes when the envelope wraps a 200", () => {
    const envelope = JSON.stringify({ status: 200, headers: {}, body: '"done"' });
    expect(answer(201, envelope)).toMatchObject({ kind: "complete", data: "done" });
  });

  it("reports transport when the envelope is broken", () => {
    expect(answer(201, "     ")).toMatchObject({ kind: "transport" });
    expect(answer(201, '  {"headers":{}}')).toMatchObject({ kind: "transport" });
  });
});

describe("toStoredError", () => {
  it("keeps name, message, stack, cause and extra fields", () => {
    const value = { name: "TypeError", message: "x", stack: "s", cause: { message: "inner" }, code: "E1" };
    expect(toStoredError(value)).toEqual(value);
  });

  it("defaults name to Error and falls back from message to error to Unknown error", () => {
    expect(toStoredError({ message: "m" })).toEqual({ name: "Error", message: "m" });
    expect(toStoredError({ error: "from error" })).toMatchObject({ name: "Error", message: "from error" });
    expect(toStoredError({})).toEqual({ name: "Error", message: "Unknown error" });
  });

  it("wraps strings, nulls and other JSON", () => {
    expect(toStoredError("plain")).toEqual({ name: "Error", message: "plain" });
    expect(toStoredError(null)).toEqual({ name: "Error", message: "Unknown error" });
    expect(toStoredError([1, 2])).toEqual({ name: "Error", message: "[1,2]" });
    expect(toStoredError(42)).toEqual({ name: "Error", message: "42" });
  });

  it("converts an Error instance", () => {
    const e = new RangeError("too far", { cause: "because" });
    expect(toStoredError(e)).toMatchObject({ name: "RangeError", message: "too far", cause: "because" });
  });

  it("drops a non-string stack", () => {
    expect(toStoredError({ message: "m", stack: 5 })).toEqual({ name: "Error", message: "m" });
  });
});
