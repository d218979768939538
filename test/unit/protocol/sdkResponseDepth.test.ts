import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../shared/protocol/constants.js";
import { interpretSdkResponse, type SdkOutcome } from "../../../shared/protocol/sdkResponse.js";

const NOW = Date.UTC(2026, 0, 1);
const SDK = { "x-inngest-sdk": "inngest-js:v4.24.0" };

/** `n` arrays, each directly inside the previous one, around `"x"`. */
const arrays = (n: number): string => `${"[".repeat(n)}"x"${"]".repeat(n)}`;

/** A 206 body: one StepRun op whose data is nested so the whole body is `depth` levels deep. */
function opsBody(depth: number): string {
  // The op array is level 1, the op object level 2, then the data's arrays.
  return `[{"id":"s1","op":"StepRun","name":"s1","data":${arrays(depth - 2)}}]`;
}

function answer(status: number, body: string, headers: Record<string, string> = SDK): SdkOutcome {
  return interpretSdkResponse({ status, headers, body }, NOW);
}

function refusal(depth: number): SdkOutcome {
  return {
    kind: "error",
    retriable: false,
    error: {
      name: "Error",
      message: `SDK answer nests ${depth} levels deep (objects and arrays); the limit is 256`,
    },
  };
}

describe("interpretSdkResponse: nesting depth of a 200", () => {
  it("limits an SDK answer to 256 levels", () => {
    expect(LIMITS.sdkResponseMaxDepth).toBe(256);
  });

  it("completes with a body nested exactly sdkResponseMaxDepth levels", () => {
    const body = arrays(LIMITS.sdkResponseMaxDepth);
    const out = answer(200, body);
    expect(out).toEqual({ kind: "complete", data: JSON.parse(body) });
  });

  it("refuses a body nested one level deeper as a non-retriable error naming the depth and limit", () => {
    expect(answer(200, arrays(LIMITS.sdkResponseMaxDepth + 1))).toEqual(refusal(257));
  });

  it("refuses a body nested 20,000 deep without throwing", () => {
    expect(answer(200, arrays(20_000))).toEqual(refusal(20_000));
  });

  it("does not count brackets inside strings", () => {
    const body = JSON.stringify({ text: "[".repeat(1000) });
    expect(answer(200, body)).toEqual({ kind: "complete", data: { text: "[".repeat(1000) } });
  });
});

describe("interpretSdkResponse: nesting depth of a 206", () => {
  it("interprets ops normally when the body is nested exactly sdkResponseMaxDepth levels", () => {
    const out = answer(206, opsBody(LIMITS.sdkResponseMaxDepth));
    expect(out).toMatchObject({ kind: "ops", ops: [{ id: "s1", op: "StepRun" }] });
  });

  it("counts the op array as a level and refuses one level more", () => {
    expect(answer(206, opsBody(LIMITS.sdkResponseMaxDepth + 1))).toEqual(refusal(257));
  });

  it("refuses a deep RunComplete in a 206 before completing the run with it", () => {
    const body = `[{"id":"c","op":"RunComplete","data":${arrays(LIMITS.sdkResponseMaxDepth)}}]`;
    expect(answer(206, body)).toEqual(refusal(LIMITS.sdkResponseMaxDepth + 2));
  });
});

describe("interpretSdkResponse: where the depth check applies", () => {
  it("checks the body inside a 201 streaming envelope", () => {
    const envelope = JSON.stringify({
      status: 200,
      headers: {},
      body: arrays(LIMITS.sdkResponseMaxDepth + 1),
    });
    expect(answer(201, envelope)).toEqual(refusal(257));
  });

  it("still reports a deep answer without the SDK header as not from the SDK", () => {
    const out = answer(200, arrays(LIMITS.sdkResponseMaxDepth + 1), {});
    expect(out.kind).toBe("transport");
  });
});

describe("interpretSdkResponse: nesting depth of an error answer", () => {
  it("keeps a deep 500 retriable and replaces its body by the reason", () => {
    const body = `{"name":"Error","message":"boom","cause":${arrays(300)}}`;
    expect(
      answer(500, body, { ...SDK, "x-inngest-no-retry": "false", "x-inngest-req-version": "2" }),
    ).toEqual({
      kind: "error",
      retriable: true,
      error: {
        name: "Error",
        message: "SDK answer nests 301 levels deep (objects and arrays); the limit is 256",
      },
      requestVersion: 2,
    });
  });

  it("keeps a deep 400 with x-inngest-no-retry non-retriable", () => {
    const out = answer(400, arrays(300), { ...SDK, "x-inngest-no-retry": "true" });
    expect(out).toMatchObject({ kind: "error", retriable: false });
  });

  it("carries the request version of a refused deep 206", () => {
    expect(answer(206, opsBody(300), { ...SDK, "x-inngest-req-version": "2" })).toMatchObject({
      requestVersion: 2,
    });
  });
});
