/** The body limits of routes that take a few options (16 KiB, 16 levels) and of checkpoints. */
import { beforeEach, describe, expect, it } from "vitest";
import { LIMITS } from "../../../shared/protocol/constants.js";
import { type Harness, harness } from "./restHarness.js";

let h: Harness;
beforeEach(() => {
  h = harness();
});

/** A JSON object body of exactly `bytes` bytes: `{"pad":"x…"}`. */
const padded = (bytes: number) => `{"pad":"${"x".repeat(bytes - '{"pad":""}'.length)}"}`;
/** A JSON body nested `levels` deep. */
const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${"}".repeat(levels - 1)}`;

describe("body limits", () => {
  it("reads an options body of exactly 16 KiB and answers 413 for one a byte larger", async () => {
    const at = await h.call("POST", "/v1/replays", { body: padded(16 * 1024) });
    expect(at.status).toBe(400); // read, then refused for its content (no function_id)
    expect((await h.call("POST", "/v1/replays", { body: padded(16 * 1024 + 1) })).status).toBe(413);
  });

  it("reads an options body 16 levels deep and refuses one 17 deep", async () => {
    const at = await h.call("POST", "/v1/replays", { body: nested(16) });
    expect(at.body).not.toMatchObject({ error: "body must be a JSON object" });
    expect(await h.call("POST", "/v1/replays", { body: nested(17) })).toMatchObject({
      status: 400,
      body: { error: "body must be a JSON object" },
    });
  });

  it("reads a checkpoint of exactly 8 MiB and answers 413 for one a byte larger", async () => {
    const path = "/v1/checkpoint/01ARZ3NDEKTSV4RRFFQ69G5FAV/async";
    const at = await h.call("POST", path, { body: padded(LIMITS.sdkResponseMaxBytes) });
    expect(at.status).toBe(400); // read, then refused for its content (no qi_id)
    expect((await h.call("POST", path, { body: padded(LIMITS.sdkResponseMaxBytes + 1) })).status).toBe(413);
  });
});
