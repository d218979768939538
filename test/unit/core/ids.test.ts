import { decodeTime, isValid } from "ulid";
import { describe, expect, it } from "vitest";
import { runIdFor } from "../../../shared/core/runner/startRuns.js";
import { deterministicUlid, encodeEntropy, stableUuid } from "../../../shared/domain/ids.js";

describe("deterministicUlid", () => {
  it("gives the same valid ULID for the same time and seed", () => {
    const a = deterministicUlid(1_700_000_000_000, "fn\u0000evt");
    expect(isValid(a)).toBe(true);
    expect(decodeTime(a)).toBe(1_700_000_000_000);
    expect(deterministicUlid(1_700_000_000_000, "fn\u0000evt")).toBe(a);
  });

  it("gives different ids for different seeds", () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => deterministicUlid(5, `seed-${i}`)));
    expect(ids.size).toBe(1000);
  });

  it("encodes 80 bits of entropy as 16 Crockford characters", () => {
    expect(encodeEntropy(new Uint8Array(10))).toBe("0000000000000000");
    expect(encodeEntropy(new Uint8Array(10).fill(255))).toBe("ZZZZZZZZZZZZZZZZ");
    expect(() => encodeEntropy(new Uint8Array(9))).toThrow("10 bytes");
  });
});

describe("runIdFor", () => {
  it("maps a redelivered event to the same run and another function to another run", () => {
    const accepted = {
      internalId: "01JCYR5W4X7Q3T9M2B8N6K1P0A",
      receivedAt: 1_700_000_000_000,
      event: { name: "a", data: {}, id: "x", ts: 1, user: {} },
    };
    expect(runIdFor("app-f", accepted)).toBe(runIdFor("app-f", { ...accepted }));
    expect(runIdFor("app-g", accepted)).not.toBe(runIdFor("app-f", accepted));
  });
});

describe("stableUuid", () => {
  it("is UUID-shaped and stable", () => {
    expect(stableUuid("fn:a")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid("fn:a")).toBe(stableUuid("fn:a"));
  });
});
