import type { Message } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { lanes, successfulIds, toSqsRecord } from "../../../../infra/local/sqsPoller.js";

const ARN = "arn:aws:sqs:us-east-1:000000000000:work.fifo";

function message(id: string, group?: string): Message {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: "{}",
    ...(group !== undefined ? { Attributes: { MessageGroupId: group } } : {}),
  };
}

/** The message ids of each lane's batches, to compare shapes at a glance. */
const ids = (out: Message[][][]): string[][][] =>
  out.map((lane) => lane.map((batch) => batch.map((m) => m.MessageId ?? "")));

/** Lanes run side by side, so their order carries no meaning: compare them sorted by first id. */
const sortedIds = (out: Message[][][]): string[][][] =>
  ids(out).sort((a, b) => (a[0]?.[0] ?? "").localeCompare(b[0]?.[0] ?? ""));

const groupOf = (m: Message): string | undefined => m.Attributes?.MessageGroupId;

/**
 * The rules every split must keep, whatever it does beyond them: each message exactly once, no
 * batch over batchSize, a group in one lane only, and a group's messages in receive order there.
 */
function expectSoundLanes(messages: Message[], batchSize: number, out: Message[][][]): void {
  const flat = out.flat(2);
  expect(flat.map((m) => m.MessageId).sort()).toEqual(messages.map((m) => m.MessageId).sort());
  for (const batch of out.flat(1)) {
    expect(batch.length).toBeGreaterThan(0);
    expect(batch.length).toBeLessThanOrEqual(batchSize);
  }
  const laneOfGroup = new Map<string, number>();
  out.forEach((lane, laneIndex) => {
    for (const m of lane.flat()) {
      const group = groupOf(m);
      if (group === undefined) continue;
      expect(laneOfGroup.get(group) ?? laneIndex, `group ${group} is in two lanes`).toBe(laneIndex);
      laneOfGroup.set(group, laneIndex);
    }
  });
  for (const group of new Set(messages.map(groupOf))) {
    if (group === undefined) continue;
    const received = messages.filter((m) => groupOf(m) === group).map((m) => m.MessageId);
    const lane = out.find((l) => l.flat().some((m) => groupOf(m) === group)) ?? [];
    const handed = lane
      .flat()
      .filter((m) => groupOf(m) === group)
      .map((m) => m.MessageId);
    expect(handed, `group ${group} out of order`).toEqual(received);
  }
}

describe("lanes: FIFO groups", () => {
  it("keeps one group's messages in one lane, in order, in batches of batchSize", () => {
    const messages = ["a1", "a2", "a3", "a4", "a5"].map((id) => message(id, "A"));
    expect(ids(lanes(messages, 2))).toEqual([[["a1", "a2"], ["a3", "a4"], ["a5"]]]);
  });

  it("gives different groups different lanes, each in its own order", () => {
    const messages = [message("a1", "A"), message("b1", "B"), message("a2", "A"), message("b2", "B")];
    expect(sortedIds(lanes(messages, 1))).toEqual([
      [["a1"], ["a2"]],
      [["b1"], ["b2"]],
    ]);
  });

  it("puts a group of exactly batchSize in one batch", () => {
    const messages = ["a1", "a2", "a3"].map((id) => message(id, "A"));
    expect(ids(lanes(messages, 3))).toEqual([[["a1", "a2", "a3"]]]);
  });

  it("splits a group one past batchSize into two batches of the same lane", () => {
    const messages = ["a1", "a2", "a3", "a4"].map((id) => message(id, "A"));
    expect(ids(lanes(messages, 3))).toEqual([[["a1", "a2", "a3"], ["a4"]]]);
  });

  it("never hands one group to two lanes, and keeps each group's order, for any mix and batch size", () => {
    const groups = ["A", "B", "C", "D", undefined];
    let state = 12_345;
    /** A small deterministic generator (LCG), so a failure always reproduces. */
    const next = (n: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((state / 2_147_483_648) * n);
    };
    for (let round = 0; round < 300; round++) {
      const messages = Array.from({ length: 1 + next(10) }, (_, i) =>
        message(`m${String(i).padStart(2, "0")}`, groups[next(groups.length)]),
      );
      for (const batchSize of [1, 2, 3, 10])
        expectSoundLanes(messages, batchSize, lanes(messages, batchSize));
    }
  });

  it("keeps a group in one lane when the batches that share it are linked through another group", () => {
    // Batches [a1 b1] [c1 d1] [a2 c2]: the third shares A with the first and C with the second.
    const messages = [
      message("a1", "A"),
      message("b1", "B"),
      message("c1", "C"),
      message("d1", "D"),
      message("a2", "A"),
      message("c2", "C"),
    ];
    expectSoundLanes(messages, 2, lanes(messages, 2));
  });
});

describe("lanes: standard queues", () => {
  it("shares batches of batchSize among messages without a group, each batch its own lane", () => {
    const messages = ["m1", "m2", "m3", "m4", "m5"].map((id) => message(id));
    expect(ids(lanes(messages, 2))).toEqual([[["m1", "m2"]], [["m3", "m4"]], [["m5"]]]);
  });

  it("puts exactly batchSize messages in one batch and one more in a second", () => {
    expect(
      ids(
        lanes(
          ["m1", "m2"].map((id) => message(id)),
          2,
        ),
      ),
    ).toEqual([[["m1", "m2"]]]);
    expect(
      ids(
        lanes(
          ["m1", "m2", "m3"].map((id) => message(id)),
          2,
        ),
      ),
    ).toEqual([[["m1", "m2"]], [["m3"]]]);
  });

  it("does not hold ungrouped messages behind a group", () => {
    const messages = [message("m1"), message("a1", "A"), message("m2"), message("a2", "A")];
    expect(sortedIds(lanes(messages, 1))).toEqual([[["a1"], ["a2"]], [["m1"]], [["m2"]]]);
  });

  it("gives no lanes for no messages", () => {
    expect(lanes([], 10)).toEqual([]);
  });
});

function records(...messageIds: string[]): SQSRecord[] {
  return messageIds.map((id) => toSqsRecord(message(id), ARN, "us-east-1"));
}

describe("successfulIds", () => {
  it("deletes every record when the handler returned nothing", () => {
    expect(successfulIds(records("a", "b"), undefined)).toEqual(["a", "b"]);
    expect(successfulIds(records("a", "b"), null)).toEqual(["a", "b"]);
  });

  it("deletes every record when no failure is reported", () => {
    expect(successfulIds(records("a", "b"), { batchItemFailures: [] })).toEqual(["a", "b"]);
  });

  it("keeps the reported failures and deletes the rest", () => {
    const result = { batchItemFailures: [{ itemIdentifier: "b" }] };
    expect(successfulIds(records("a", "b", "c"), result)).toEqual(["a", "c"]);
  });

  it("keeps the whole batch when a reported failure is not in the batch", () => {
    const result = { batchItemFailures: [{ itemIdentifier: "b" }, { itemIdentifier: "zzz" }] };
    expect(successfulIds(records("a", "b", "c"), result)).toEqual([]);
    expect(successfulIds(records("a"), { batchItemFailures: [{ itemIdentifier: "" }] })).toEqual([]);
  });

  it("keeps the whole batch when the response cannot be read", () => {
    expect(successfulIds(records("a", "b"), { batchItemFailures: "x" })).toEqual([]);
    expect(successfulIds(records("a", "b"), 42)).toEqual([]);
    expect(successfulIds(records("a", "b"), "done")).toEqual([]);
  });

  it("deletes nothing when every record is reported failed", () => {
    const result = { batchItemFailures: [{ itemIdentifier: "a" }, { itemIdentifier: "b" }] };
    expect(successfulIds(records("a", "b"), result)).toEqual([]);
  });
});
