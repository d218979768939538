import { describe, expect, it } from "vitest";
import { processFifoBatch } from "../../../shared/core/fifoBatch.js";

const rec = (messageId: string, groupId: string) => ({ messageId, groupId });

describe("processFifoBatch", () => {
  it("reports a failed record and every later record of its group, and lets other groups finish", async () => {
    const seen: string[] = [];
    const result = await processFifoBatch(
      [rec("a1", "A"), rec("b1", "B"), rec("a2", "A"), rec("b2", "B"), rec("a3", "A")],
      async (r) => {
        seen.push(r.messageId);
        if (r.messageId === "a2") throw new Error("boom");
      },
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "a2" }, { itemIdentifier: "a3" }]);
    expect(seen).toContain("b2");
    expect(seen).not.toContain("a3");
  });

  it("processes each group's records in order", async () => {
    const order: string[] = [];
    await processFifoBatch([rec("1", "G"), rec("2", "G"), rec("3", "G")], async (r) => {
      await new Promise((res) => setTimeout(res, r.messageId === "1" ? 20 : 0));
      order.push(r.messageId);
    });
    expect(order).toEqual(["1", "2", "3"]);
  });

  it("reports nothing when every record succeeds", async () => {
    expect(await processFifoBatch([rec("1", "G")], async () => {})).toEqual({ batchItemFailures: [] });
  });
});
