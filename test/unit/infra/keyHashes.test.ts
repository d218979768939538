/** The synth-time check of event and API key hashes (infra/stack/keyHashes.ts). */
import { describe, expect, it } from "vitest";
import { checkKeyHashes } from "../../../infra/stack/keyHashes.js";

const LIMIT = { max: 2, where: "in the test" };
const check = (hashes: string[]) => () => checkKeyHashes("testKeyHashes", hashes, LIMIT);

describe("checkKeyHashes", () => {
  it("takes sha256 hex digests, trimmed and lowercased", () => {
    expect(checkKeyHashes("testKeyHashes", [` ${"AB".repeat(32)} `], LIMIT)).toEqual(["ab".repeat(32)]);
  });

  it("refuses a digest one hex digit short or long, or with a non-hex digit", () => {
    for (const bad of ["a".repeat(63), "a".repeat(65), `${"a".repeat(63)}g`]) {
      expect(check([bad])).toThrow(
        `testKeyHashes must be sha256 hex digests (64 hex characters); got ${bad}`,
      );
    }
  });

  it("takes as many as fit and refuses one more", () => {
    expect(check(["a".repeat(64), "b".repeat(64)])).not.toThrow();
    expect(check(["a".repeat(64), "b".repeat(64), "c".repeat(64)])).toThrow(
      "At most 2 testKeyHashes fit in the test",
    );
  });
});
