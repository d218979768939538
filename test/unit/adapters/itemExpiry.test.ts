/** When DynamoDB's TTL may delete pause and cancellation items (epoch seconds). */
import { describe, expect, it } from "vitest";
import { cancellationExpiresAt } from "../../../shared/adapters/aws/DynamoCancellationStore.js";
import { LargeJson } from "../../../shared/adapters/aws/largeJson.js";
import { encodePause } from "../../../shared/adapters/aws/pauseItems.js";
import { MemoryBlobStore } from "../../../shared/adapters/memory/index.js";
import type { Pause } from "../../../shared/domain/schemas.js";

const T = Date.UTC(2030, 0, 1);
const DAY_S = 24 * 60 * 60;

describe("item expiry", () => {
  it("keeps a pause 20 minutes past its timeout (a late timeout still finds it), to the second", async () => {
    const pause: Pause = {
      pauseId: "01RUN:w",
      partition: "EVT#a/b",
      kind: "wait",
      stepId: "w",
      createdAt: T,
      expiresAt: T + 60_500,
      runId: "01RUN",
      fnSlug: "app-fn",
      triggerEventId: "01E",
    };
    const item = await encodePause(new LargeJson(new MemoryBlobStore()), pause);
    expect(item.expiresAt).toBe(T / 1000 + 61 + 20 * 60);
  });

  it("keeps a cancellation 30 days past the end of its window, or past its creation when that is later", () => {
    expect(cancellationExpiresAt({ startedBefore: T, createdAt: T - 5000 })).toBe(T / 1000 + 30 * DAY_S);
    expect(cancellationExpiresAt({ startedBefore: T - 5000, createdAt: T })).toBe(T / 1000 + 30 * DAY_S);
  });
});
