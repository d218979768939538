/**
 * Where Inngest's dialect does not change anything (every attribute present, boolean logic on
 * booleans, no failing operand), results must equal standard CEL. @bufbuild/cel, a
 * conformance-tested CEL implementation, is the oracle.
 */
import { type CelInput, isCelError, run } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import { evaluateBoolean } from "../../../shared/expressions/index.js";

const event = {
  name: "app/order.created",
  id: "01HZX",
  ts: 1_700_000_000_000,
  data: {
    count: 10,
    amount: 10.5,
    ok: true,
    tags: ["a", "b"],
    items: [{ qty: 2 }, { qty: 1 }],
    user: { plan: "pro", email: "a@example.com" },
  },
  user: {},
};

/** The oracle takes maps as Map instances. */
function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === "object") {
    return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return null;
}

function oracle(source: string): boolean | "error" {
  const result = run(source, { event: toCel(event) });
  return isCelError(result) ? "error" : result === true;
}

const STANDARD_EXPRESSIONS = [
  "event.data.count == 10",
  "event.data.count != 10",
  "event.data.count > 5",
  "event.data.count >= 10.0",
  "event.data.amount < 10.6",
  "event.data.amount == 10.5",
  "event.data.count == 10u",
  "event.name == 'app/order.created'",
  'event.name == "app/other"',
  "event.name.startsWith('app/') && event.name.endsWith('.created')",
  "event.name.contains('order')",
  "event.name.matches('^app/[a-z.]+$')",
  "'a' in event.data.tags",
  "'z' in event.data.tags",
  "event.data.tags.size() == 2 && size(event.data.tags) == 2",
  "event.data.items.exists(i, i.qty > 1)",
  "event.data.items.all(i, i.qty > 1)",
  "event.data.items.exists_one(i, i.qty == 2)",
  "event.data.items.map(i, i.qty * 2.0).exists(q, q == 4)",
  "event.data.items.filter(i, i.qty > 1).size() == 1",
  "has(event.data.user) && has(event.data.user.plan)",
  "has(event.data.user.nope)",
  'event.data.user.plan == "pro" && event.data.amount > 100',
  'event.data.user.plan == "pro" || event.data.amount > 100',
  "!event.data.ok",
  "event.data.ok ? event.data.count > 1 : false",
  "int(event.data.count) == 10 && double(event.data.count) == 10.0",
  "string(event.data.count) == '10'",
  "type(event.data.count) == double",
  "timestamp('2020-01-01T00:00:00Z') < timestamp('2021-01-01T00:00:00Z')",
  "timestamp('2020-01-01T00:00:00Z') + duration('1h') == timestamp('2020-01-01T01:00:00Z')",
  "duration('1h') > duration('30m')",
  "event.data.user == {'plan': 'pro', 'email': 'a@example.com'}",
  "event.data.tags == ['a', 'b']",
  "[1, 2, 3].map(x, x * 2)[2] == 6",
  "5 % 3 == 2 && 7 / 2 == 3 && 2.0 * 3.0 == 6.0",
  "-event.data.count < 0",
  "'ab' + 'cd' == 'abcd' && [1] + [2] == [1, 2]",
  "'a' < 'b' && true != false && null == null",
];

describe("conformance with standard CEL", () => {
  it.each(STANDARD_EXPRESSIONS)("agrees with the oracle on %s", (source) => {
    const expected = oracle(source);
    expect(expected).not.toBe("error");
    expect(evaluateBoolean(source, { event })).toBe(expected);
  });

  it("is lenient exactly where standard CEL reports an error", () => {
    expect(oracle("event.data.nope == 1")).toBe("error");
    expect(evaluateBoolean("event.data.nope != 1", { event })).toBe(true);
    expect(oracle('"user-" + 123 == "user-123"')).toBe("error");
    expect(evaluateBoolean('"user-" + 123 == "user-123"', { event })).toBe(true);
  });
});
