import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PORT,
  DEFAULT_RETRIES,
  HEADERS,
  INTERNAL_EVENTS,
  LIMITS,
  MAX_RETRIES,
  RESERVED_EVENT_PREFIX,
  RUN_COMPLETE_ID,
} from "../../../shared/protocol/constants.js";

describe("protocol constants", () => {
  it("uses sha1('complete') as the RunComplete op id", () => {
    expect(RUN_COMPLETE_ID).toBe(createHash("sha1").update("complete").digest("hex"));
  });

  it("spells every header name in lower case", () => {
    for (const name of Object.values(HEADERS)) expect(name).toBe(name.toLowerCase());
  });

  it("keeps every internal event under the reserved prefix", () => {
    for (const name of Object.values(INTERNAL_EVENTS))
      expect(name.startsWith(RESERVED_EVENT_PREFIX)).toBe(true);
  });

  it("matches the defaults of the official server", () => {
    expect(DEFAULT_PORT).toBe(8288);
    expect(DEFAULT_RETRIES).toBe(4);
    expect(MAX_RETRIES).toBe(20);
    expect(LIMITS.eventMaxBytes).toBe(512 * 1024);
    expect(LIMITS.eventAbsoluteMaxBytes).toBe(3 * 1024 * 1024);
    expect(LIMITS.maxEventsPerRequest).toBe(5000);
    expect(LIMITS.retryAfterMinMs).toBe(1000);
    expect(LIMITS.retryAfterMaxMs).toBe(24 * 60 * 60 * 1000);
    expect(new Date(LIMITS.eventTsMinMs).toISOString()).toBe("1980-01-01T00:00:00.000Z");
    expect(new Date(LIMITS.eventTsMaxMs).toISOString()).toBe("2100-01-01T00:00:00.000Z");
  });
});
