import { describe, expect, it } from "vitest";
import { retryUnprocessed } from "../../../shared/adapters/aws/retryUnprocessed.js";

/** A `send` that answers with scripted leftovers and records every batch it was given. */
function scripted(answers: string[][]) {
  const batches: string[][] = [];
  const send = async (batch: string[]): Promise<string[]> => {
    batches.push([...batch]);
    return answers[batches.length - 1] ?? [];
  };
  return { send, batches };
}

function recordingSleep() {
  const pauses: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    pauses.push(ms);
  };
  return { sleep, pauses };
}

const OPTS = { maxAttempts: 4, backoffMs: 50, what: "PutRecords" };

describe("retryUnprocessed", () => {
  it("sends once when everything is processed", async () => {
    const { send, batches } = scripted([[]]);
    const { sleep, pauses } = recordingSleep();
    await retryUnprocessed(["a", "b"], send, { ...OPTS, sleep });
    expect(batches).toEqual([["a", "b"]]);
    expect(pauses).toEqual([]);
  });

  it("resends only what send returned as unprocessed", async () => {
    const { send, batches } = scripted([["b", "c"], ["c"], []]);
    const { sleep } = recordingSleep();
    await retryUnprocessed(["a", "b", "c"], send, { ...OPTS, sleep });
    expect(batches).toEqual([["a", "b", "c"], ["b", "c"], ["c"]]);
  });

  it("does not call send when there is nothing to send", async () => {
    const { send, batches } = scripted([]);
    const { sleep, pauses } = recordingSleep();
    await retryUnprocessed([], send, { ...OPTS, sleep });
    expect(batches).toEqual([]);
    expect(pauses).toEqual([]);
  });

  it("doubles the backoff before each resend, starting at backoffMs", async () => {
    const { send } = scripted([["x"], ["x"], ["x"], []]);
    const { sleep, pauses } = recordingSleep();
    await retryUnprocessed(["x"], send, { ...OPTS, sleep });
    expect(pauses).toEqual([50, 100, 200]);
  });

  it("succeeds when the last allowed send processes everything", async () => {
    const { send, batches } = scripted([["x"], ["x"], ["x"], []]);
    const { sleep } = recordingSleep();
    await expect(retryUnprocessed(["x"], send, { ...OPTS, sleep })).resolves.toBeUndefined();
    expect(batches).toHaveLength(4);
  });

  it("gives up after exactly maxAttempts sends, naming what, the count left and the detail", async () => {
    const { send, batches } = scripted([["a", "b"], ["a", "b"], ["a", "b"], ["b"], []]);
    const { sleep, pauses } = recordingSleep();
    const describe = (left: string[]) => `first left: ${left[0]}`;
    await expect(retryUnprocessed(["a", "b", "c"], send, { ...OPTS, sleep, describe })).rejects.toThrow(
      "PutRecords: 1 item(s) still unprocessed after 4 attempt(s): first left: b",
    );
    expect(batches).toHaveLength(4);
    expect(pauses).toEqual([50, 100, 200]);
  });

  it("gives the count and attempts without detail when there is no describe", async () => {
    const { send } = scripted([["a"], ["a"]]);
    const { sleep } = recordingSleep();
    const run = retryUnprocessed(["a"], send, {
      maxAttempts: 2,
      backoffMs: 10,
      what: "SendMessageBatch",
      sleep,
    });
    await expect(run).rejects.toThrow(
      /^SendMessageBatch: 1 item\(s\) still unprocessed after 2 attempt\(s\)$/,
    );
  });

  it("gives up after one send when maxAttempts is 1, without sleeping", async () => {
    const { send, batches } = scripted([["a"]]);
    const { sleep, pauses } = recordingSleep();
    await expect(
      retryUnprocessed(["a"], send, { maxAttempts: 1, backoffMs: 50, what: "BatchWriteItem", sleep }),
    ).rejects.toThrow("BatchWriteItem: 1 item(s) still unprocessed after 1 attempt(s)");
    expect(batches).toHaveLength(1);
    expect(pauses).toEqual([]);
  });

  it("stops at once when send throws, without another send", async () => {
    const batches: string[][] = [];
    const fault = new Error("AccessDenied");
    const send = async (batch: string[]): Promise<string[]> => {
      batches.push(batch);
      if (batches.length === 2) throw fault;
      return ["a"];
    };
    const { sleep, pauses } = recordingSleep();
    await expect(retryUnprocessed(["a"], send, { ...OPTS, sleep })).rejects.toBe(fault);
    expect(batches).toHaveLength(2);
    expect(pauses).toEqual([50]);
  });
});
