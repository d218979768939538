import { describe, expect, it } from "vitest";
import { evaluateBoolean, evaluateKey } from "../../../shared/expressions/index.js";
import { parseDateInt, parseDateString } from "../../../shared/expressions/inngestFunctions.js";

const event = {
  name: "ticket/created",
  ts: 1_700_000_000_000,
  data: {
    priority: "URGENT",
    name: "Tester McTestyFace",
    encoded: Buffer.from(JSON.stringify({ nested: { data: "yea" } })).toString("base64"),
    from: "2020-01-01T12:00:00",
    later: new Date(Date.now() + 3_600_000).toISOString(),
    seconds: 1_700_000_000,
  },
};

const match = (source: string) => evaluateBoolean(source, { event });
const key = (source: string) => evaluateKey(source, { event });

describe("lowercase and uppercase", () => {
  it("change the case of a string", () => {
    expect(match("lowercase(event.data.priority) == 'urgent'")).toBe(true);
    expect(key("uppercase(event.data.name) + ' is my name'")).toBe("TESTER MCTESTYFACE is my name");
  });

  it("fail on a non-string argument", () => {
    expect(key("lowercase(event.ts)")).toBeUndefined();
  });
});

describe("b64decode", () => {
  it("decodes standard base64 into a string", () => {
    expect(match('b64decode("aGkgdGhlcmUh") == "hi there!"')).toBe(true);
    expect(key('b64decode("aGkgdGhlcmUh") + " - b64 data"')).toBe("hi there! - b64 data");
  });
});

describe("json_parse", () => {
  it("parses a JSON object into a map", () => {
    expect(key("json_parse(b64decode(event.data.encoded)).nested.data")).toBe("yea");
    expect(match("json_parse('{\"n\": 2}').n == 2")).toBe(true);
  });

  it("gives an empty map for invalid JSON or a non-object", () => {
    expect(match("size(json_parse('not json')) == 0")).toBe(true);
    expect(match("size(json_parse('[1, 2]')) == 0")).toBe(true);
  });
});

describe("date", () => {
  it("parses RFC3339 and zone-less date-times as UTC", () => {
    expect(match("date('2020-01-01T00:00:00Z') == timestamp('2020-01-01T00:00:00Z')")).toBe(true);
    expect(match("date('2020-01-01T02:00:00+02:00') == timestamp('2020-01-01T00:00:00Z')")).toBe(true);
    expect(match("date(event.data.from) + duration('6h35m10s') == date('2020-01-01T18:35:10')")).toBe(true);
    expect(match("date('2020-01-01') == timestamp('2020-01-01T00:00:00Z')")).toBe(true);
  });

  it("reads integers as Unix seconds, milliseconds or nanoseconds by magnitude", () => {
    expect(match("date(1700000000) == date(1700000000000)")).toBe(true);
    expect(match("date(1700000000000000000) == date(1700000000)")).toBe(true);
    expect(parseDateInt(1_700_000_000n)).toBe(1_700_000_000_000);
    expect(parseDateInt(1_700_000_000_123n)).toBe(1_700_000_000_123);
    expect(parseDateInt(900_000_000n)).toBeUndefined();
  });

  it("accepts an integral double such as event.ts (a leniency over cel-go)", () => {
    expect(match("date(event.ts) == date(1700000000)")).toBe(true);
    expect(match("date(event.data.seconds) == date(event.ts)")).toBe(true);
  });

  it("parses RFC1123 and Go's time format", () => {
    expect(parseDateString("Mon, 02 Jan 2006 15:04:05 GMT")).toBe(Date.parse("2006-01-02T15:04:05Z"));
    expect(parseDateString("Mon, 02 Jan 2006 15:04:05 -0700")).toBe(Date.parse("2006-01-02T22:04:05Z"));
    expect(parseDateString("2006-01-02 15:04:05.5 +0000 UTC")).toBe(Date.parse("2006-01-02T15:04:05.500Z"));
  });

  it("fails on an unrecognised date, and a failed operand then acts like an unknown one", () => {
    expect(parseDateString("yesterday")).toBeUndefined();
    expect(key("date(12)")).toBeUndefined();
    expect(match("date('yesterday') == now()")).toBe(false);
    // Inngest's decorator: an erroring left operand of < is "less than anything".
    expect(match("date('yesterday') < now()")).toBe(true);
  });
});

describe("now, now_plus and now_minus", () => {
  it("compare against the current time", () => {
    expect(match("now() > date('2020-01-01')")).toBe(true);
    expect(match("date(event.data.later) > now_plus('30m')")).toBe(true);
    expect(match("date(event.data.later) < now_plus('2h')")).toBe(true);
    expect(match("now_minus('1h') < now()")).toBe(true);
  });

  it("accept Inngest's day and week units", () => {
    expect(match("now_minus('1w') < now_minus('1d')")).toBe(true);
    expect(match("now_plus('1d') > now_plus('23h59m')")).toBe(true);
  });

  it("fail on an invalid duration", () => {
    expect(match("now_plus('soon') > now()")).toBe(false);
  });
});

describe("standard functions alongside Inngest's", () => {
  it("offers cel-go's string methods and global matches", () => {
    expect(match("event.data.name.startsWith('Tester') && event.data.name.endsWith('Face')")).toBe(true);
    expect(match("event.data.name.contains('McTesty')")).toBe(true);
    expect(match("event.data.name.matches('^[A-Z]')")).toBe(true);
    expect(match("matches(event.data.priority, 'URG')")).toBe(true);
  });

  it("converts strings to numbers", () => {
    expect(evaluateBoolean("int(async.status) == 200", { async: { data: {}, status: "200" } })).toBe(true);
    expect(evaluateBoolean("async.status == 200", { async: { status: "200" } })).toBe(false);
  });
});
