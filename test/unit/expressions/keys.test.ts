import { describe, expect, it } from "vitest";
import { formatGoDuration, formatGoFloat } from "../../../shared/expressions/goFormat.js";
import { evaluateKey } from "../../../shared/expressions/index.js";

const event = {
  name: "livekit/stream.started",
  id: "01KMMJM9P2JQWH09SKMQM4J1DF",
  ts: 1_774_512_121_538,
  data: {
    ingressId: "IN_Mwj9Dm8r9QP2",
    userId: "e67aed6a-4cd4-4465-ba23-bca6ef584292",
    empty: "",
    count: 10,
    price: 9.1,
    big: 1_234_567,
    ok: true,
    nothing: null,
    list: [3, "ok?", true, null],
    obj: { name: "inngest", a: 1 },
  },
  user: {},
};

const key = (source: string) => evaluateKey(source, { event });

describe("evaluateKey", () => {
  it("returns strings as they are", () => {
    expect(key("event.data.ingressId")).toBe("IN_Mwj9Dm8r9QP2");
    expect(key("event.id")).toBe("01KMMJM9P2JQWH09SKMQM4J1DF");
    expect(key("event.name")).toBe("livekit/stream.started");
    expect(key("event.data.ingressId + '-' + event.data.userId")).toBe(
      "IN_Mwj9Dm8r9QP2-e67aed6a-4cd4-4465-ba23-bca6ef584292",
    );
  });

  it("formats numbers as Go's %v does for float64 and int64", () => {
    expect(key("event.data.count")).toBe("10");
    expect(key("event.data.price")).toBe("9.1");
    expect(key("event.data.big")).toBe("1.234567e+06");
    expect(key("event.ts")).toBe("1.774512121538e+12");
    expect(key("size(event.data.list)")).toBe("4");
    expect(key("int(event.ts)")).toBe("1774512121538");
    expect(key("2u")).toBe("2");
  });

  it("formats booleans, lists, maps and nulls as Go does", () => {
    expect(key("event.data.ok")).toBe("true");
    expect(key("event.data.list")).toBe("[3 ok? true <nil>]");
    expect(key("event.data.obj")).toBe("map[a:1 name:inngest]");
    expect(key("event.data.nothing")).toBe("NULL_VALUE");
    expect(key("b'hi'")).toBe("[104 105]");
  });

  it("formats timestamps and durations as Go's time types do", () => {
    expect(key("date('2020-01-01T18:35:10Z')")).toBe("2020-01-01 18:35:10 +0000 UTC");
    expect(key("date('2020-01-01T18:35:10.250Z')")).toBe("2020-01-01 18:35:10.25 +0000 UTC");
    expect(key("duration('1h')")).toBe("1h0m0s");
  });

  it("concatenates mixed types with the same formatting", () => {
    const source =
      "event.data.ingressId + '-' + event.data.price + '-' + event.data.ok + '-' + event.data.list + '-' + event.data.obj + '-' + event.data.missing";
    expect(key(source)).toBe("IN_Mwj9Dm8r9QP2-9.1-true-[3 ok? true <nil>]-map[a:1 name:inngest]-");
    // Go prints a CEL null through its protobuf enum name.
    expect(key("event.data.ingressId + '/' + event.data.nothing")).toBe("IN_Mwj9Dm8r9QP2/NULL_VALUE");
  });

  it("returns the first truthy operand of ||, falling back to the last", () => {
    expect(key("event.data.ingressId || event.data.userId")).toBe("IN_Mwj9Dm8r9QP2");
    expect(key("event.data.nonexistent || event.data.userId")).toBe(event.data.userId);
    expect(key("event.data.empty || event.data.userId")).toBe(event.data.userId);
    expect(key("event.data.a || event.data.b")).toBe("false");
  });

  it("returns the first falsy operand of &&, or the last", () => {
    expect(key("event.data.ingressId && event.data.userId")).toBe(event.data.userId);
    expect(key("event.data.empty && event.data.userId")).toBe("");
  });

  it("picks a ?: branch by the truthiness of its condition", () => {
    const source = "event.data.primaryCandidateId ? event.data.primaryCandidateId : event.data.userId";
    expect(key(source)).toBe(event.data.userId);
  });

  it("is 'false' when the result stays unknown (Inngest evaluates it to false)", () => {
    expect(key("event.data.nonexistent")).toBe("false");
    expect(key("event.data.ingressId + event.data.missing")).toBe("IN_Mwj9Dm8r9QP2");
  });

  it("is undefined when evaluation fails or the expression is invalid", () => {
    expect(key("event.data.list[9]")).toBeUndefined();
    expect(key("int('x')")).toBeUndefined();
    expect(key("event.data.x ==")).toBeUndefined();
  });
});

describe("formatGoFloat", () => {
  it("switches to exponent form below 1e-4 and from 1e+06", () => {
    expect(formatGoFloat(123456)).toBe("123456");
    expect(formatGoFloat(1_000_000)).toBe("1e+06");
    expect(formatGoFloat(0.0001)).toBe("0.0001");
    expect(formatGoFloat(0.00001)).toBe("1e-05");
    expect(formatGoFloat(1.5e300)).toBe("1.5e+300");
    expect(formatGoFloat(-2.5)).toBe("-2.5");
  });

  it("prints special values as Go does", () => {
    expect(formatGoFloat(0)).toBe("0");
    expect(formatGoFloat(-0)).toBe("-0");
    expect(formatGoFloat(Number.NaN)).toBe("NaN");
    expect(formatGoFloat(Number.POSITIVE_INFINITY)).toBe("+Inf");
  });
});

describe("formatGoDuration", () => {
  it("prints hours, minutes and fractional seconds", () => {
    expect(formatGoDuration(0n)).toBe("0s");
    expect(formatGoDuration(90_000_000_000n)).toBe("1m30s");
    expect(formatGoDuration(1_500_000_000n)).toBe("1.5s");
    expect(formatGoDuration(3_600_000_000_000n)).toBe("1h0m0s");
    expect(formatGoDuration(-2_000_000_000n)).toBe("-2s");
  });

  it("prints sub-second durations in ms, µs or ns", () => {
    expect(formatGoDuration(250_000_000n)).toBe("250ms");
    expect(formatGoDuration(1_500_000n)).toBe("1.5ms");
    expect(formatGoDuration(1_000n)).toBe("1µs");
    expect(formatGoDuration(10n)).toBe("10ns");
  });
});
