import { beforeEach, describe, expect, it } from "vitest";
import type { BlobStore } from "../../shared/ports/index.js";
import { randomSuffix } from "../helpers/randomSuffix.js";

export interface BlobStoreHarness {
  store: BlobStore;
}

/** The BlobStore port's contract. */
export function describeBlobStore(name: string, make: () => Promise<BlobStoreHarness>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let key: string;
    beforeEach(async () => {
      ({ store } = await make());
      key = `runs/${randomSuffix()}/step.json`;
    });

    it("returns exactly the text that was put, multi-byte characters and large bodies included", async () => {
      const body = JSON.stringify({ text: "zaïre ✓ 数据 🚀", big: "x".repeat(300_000) });
      await store.put(key, body);
      expect(await store.get(key)).toBe(body);
    });

    it("returns undefined for a key that was never put", async () => {
      expect(await store.get(key)).toBeUndefined();
    });

    it("returns an empty text as empty, not as absent", async () => {
      await store.put(key, "");
      expect(await store.get(key)).toBe("");
    });

    it("returns the latest text put under a key", async () => {
      await store.put(key, "first");
      await store.put(key, "second");
      expect(await store.get(key)).toBe("second");
    });
  });
}
