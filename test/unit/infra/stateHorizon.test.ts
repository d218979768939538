import { describe, expect, it } from "vitest";
import { needsRenewal, STATE_HORIZON_MS } from "../../../shared/adapters/aws/runExpiry.js";
import { LIMITS } from "../../../shared/protocol/constants.js";
import { STATE_HORIZON_DAYS } from "../../../shared/resources.js";

const DAY_MS = 86_400_000;

describe("the state horizon", () => {
  it("outlasts the longest sleep or wait by a day, so a waiting run's state is there when it wakes", () => {
    expect(STATE_HORIZON_DAYS * DAY_MS).toBeGreaterThanOrEqual(LIMITS.sleepMaxMs + DAY_MS);
    expect(STATE_HORIZON_DAYS * DAY_MS).toBeGreaterThanOrEqual(LIMITS.invokeDefaultTimeoutMs + DAY_MS);
    expect(STATE_HORIZON_MS).toBe(STATE_HORIZON_DAYS * DAY_MS);
  });

  it("renews an item only when it would lapse within a horizon of now, and never one without an expiry", () => {
    const now = 1_900_000_000_000;
    const edge = (now + STATE_HORIZON_MS) / 1000;
    expect(needsRenewal(edge - 1, now)).toBe(true);
    expect(needsRenewal(edge, now)).toBe(false);
    expect(needsRenewal(undefined, now)).toBe(false);
  });
});
