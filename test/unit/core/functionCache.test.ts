import { describe, expect, it } from "vitest";
import { withFunctionCache } from "../../../shared/core/registry/functionCache.js";
import type { FunctionRecord } from "../../../shared/domain/schemas.js";
import type { RegistryStore } from "../../../shared/ports/index.js";

function counting(): { store: RegistryStore; lookups: () => number } {
  let n = 0;
  const fn = { slug: "a-f" } as FunctionRecord;
  const store: RegistryStore = {
    getApp: async () => undefined,
    listApps: async () => [],
    putAppSync: async () => {},
    listFunctions: async () => [],
    functionsForEvent: async () => [],
    getFunction: async () => {
      n++;
      if (n === 1) throw new Error("throttled");
      return fn;
    },
  };
  return { store, lookups: () => n };
}

describe("withFunctionCache", () => {
  it("does not cache a failed lookup, caches a good one, and expires it after the TTL", async () => {
    let now = 0;
    const c = counting();
    const cached = withFunctionCache(c.store, () => now, 5000);
    await expect(cached.getFunction("a-f")).rejects.toThrow("throttled");
    expect((await cached.getFunction("a-f"))?.slug).toBe("a-f");
    now = 4000;
    await cached.getFunction("a-f");
    expect(c.lookups()).toBe(2);
    now = 9001;
    await cached.getFunction("a-f");
    expect(c.lookups()).toBe(3);
  });
});
