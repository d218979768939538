import { describe, expect, it } from "vitest";
import { PARTITION_KEY_MAX_BYTES, partitionsFor, pausableName } from "../../../shared/domain/pauses.js";

describe("the pause partitions an event reads", () => {
  const event = (id: string) => ({ name: "x/y", data: { id } });

  it("reads its name's unindexed partition and the one its value selects", () => {
    expect(partitionsFor(event("o_1"), ["", "data.id"])).toEqual(["EVT#x/y", "EVT#x/y#data.id#s:o_1"]);
  });

  it("reads a value's partition of exactly 2 KiB, and skips one a byte longer (DynamoDB would refuse the key)", () => {
    const prefix = Buffer.byteLength("EVT#x/y#data.id#s:");
    const fits = "v".repeat(PARTITION_KEY_MAX_BYTES - prefix);
    expect(partitionsFor(event(fits), ["data.id"])).toEqual([`EVT#x/y#data.id#s:${fits}`]);
    expect(partitionsFor(event(`${fits}v`), ["data.id"])).toEqual([]);
  });
});

describe("event names pauses can be kept for", () => {
  it("takes a name of 2,032 UTF-8 bytes and refuses one a byte longer", () => {
    const fits = `${"é".repeat(1015)}ee`; // 2,030 + 2 = 2,032 bytes
    expect(pausableName(fits)).toBe(true);
    expect(pausableName(`${fits}e`)).toBe(false);
    expect(PARTITION_KEY_MAX_BYTES - 16).toBe(2032);
  });
});
