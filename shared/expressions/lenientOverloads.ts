/**
 * Operator and function overloads reproducing Inngest's lenient decorator (pkg/expressions/
 * unknown.go) on top of the library's strict CEL:
 * - unknown operands: `==` is true only against null, `!=` the reverse, `<`/`<=` are true and
 *   `>`/`>=` false when the unknown is on the left (the other way round on the right), `+` yields
 *   the other operand, `size()` is 0, and the other operators, conversions, string methods and
 *   Inngest's functions give false;
 * - null against an int/uint/double/string in `<`, `<=`, `>`, `>=` is that type's zero value;
 * - `+` on two different types that have no native overload is Go's `"%v%v"` concatenation, which
 *   includes `double + int` (`event.data.n + 1` with n = 5 gives "51", as in Inngest);
 * - `==` across types is false, and across numeric types compares the numbers, also between
 *   literals (cel-go's heterogeneous equality; the library only has it for dynamic values).
 */

import type { Environment } from "@marcbachmann/cel-js";
import { UnsignedInt } from "@marcbachmann/cel-js/evaluator";
import { formatGoValue } from "./goFormat.js";
import { UNKNOWN_TYPE as U } from "./unknown.js";

const TIMESTAMP = "google.protobuf.Timestamp";
const DURATION = "google.protobuf.Duration";
const NUMERIC = ["int", "uint", "double"];
/** Every concrete runtime type an operand can have, besides unknown. */
const TYPES = [...NUMERIC, "string", "bool", "null", "bytes", "list", "map", TIMESTAMP, DURATION];
/** cel-go types implementing traits.Adder; only those can start a concatenation. */
const ADDERS = [...NUMERIC, "string", "bytes", "list", TIMESTAMP, DURATION];

export function registerLenientOverloads(env: Environment): void {
  registerUnknownOperators(env);
  registerUnknownFunctions(env);
  registerNullOrdering(env);
  registerConcatenation(env);
  registerMixedEquality(env);
}

function registerUnknownOperators(env: Environment): void {
  const always = (result: boolean) => () => result;
  env.registerOperator(`${U} == ${U}`, always(false));
  for (const t of TYPES)
    env.registerOperator(`${U} == ${t}`, (_u: unknown, other: unknown) => other === null);
  // "Unknown is less than anything": the answer depends only on which side is unknown.
  for (const [op, leftUnknown] of [
    ["<", true],
    ["<=", true],
    [">", false],
    [">=", false],
  ] as const) {
    env.registerOperator(`${U} ${op} ${U}`, always(leftUnknown));
    for (const t of TYPES) {
      env.registerOperator(`${U} ${op} ${t}`, always(leftUnknown));
      env.registerOperator(`${t} ${op} ${U}`, always(!leftUnknown));
    }
  }
  env.registerOperator(`${U} + ${U}: bool`, always(false));
  for (const t of TYPES) {
    env.registerOperator(`${U} + ${t}: ${t}`, (_u: unknown, other: unknown) => other);
    env.registerOperator(`${t} + ${U}: ${t}`, (other: unknown) => other);
  }
  for (const op of ["-", "*", "/", "%"]) {
    env.registerOperator(`${U} ${op} ${U}: bool`, always(false));
    for (const t of TYPES) {
      env.registerOperator(`${U} ${op} ${t}: bool`, always(false));
      env.registerOperator(`${t} ${op} ${U}: bool`, always(false));
    }
  }
  // `unknown in list/map` is already false through the library's generic membership test.
  env.registerOperator(`${U} in ${U}`, always(false));
  for (const t of TYPES) {
    env.registerOperator(`${t} in ${U}`, always(false));
    if (t !== "list" && t !== "map") env.registerOperator(`${U} in ${t}`, always(false));
  }
  env.registerOperator(`!${U}: bool`, always(false));
  env.registerOperator(`-${U}: bool`, always(false));
}

function registerUnknownFunctions(env: Environment): void {
  const no = () => false;
  env.registerFunction(`size(${U}): int`, () => 0n).registerFunction(`${U}.size(): int`, () => 0n);
  for (const method of ["contains", "startsWith", "endsWith", "matches"]) {
    env.registerFunction(`${U}.${method}(dyn): bool`, no);
  }
  const unary = ["lowercase", "uppercase", "b64decode", "json_parse", "date", "now_plus", "now_minus"];
  for (const fn of [...unary, "int", "uint", "double", "string", "bool", "bytes", "timestamp", "duration"]) {
    env.registerFunction(`${fn}(${U}): bool`, no);
  }
  env.registerFunction(`matches(${U}, dyn): bool`, no);
}

type Comparable = bigint | number | string;
const ZERO: Record<string, Comparable> = { int: 0n, uint: 0n, double: 0, string: "" };

function comparable(value: unknown): Comparable {
  if (value instanceof UnsignedInt) return value.valueOf();
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "string") return value;
  throw new Error(`cannot order ${typeof value}`);
}

function registerNullOrdering(env: Environment): void {
  const compare = {
    "<": (a: Comparable, b: Comparable) => a < b,
    "<=": (a: Comparable, b: Comparable) => a <= b,
    ">": (a: Comparable, b: Comparable) => a > b,
    ">=": (a: Comparable, b: Comparable) => a >= b,
  };
  for (const [t, zero] of Object.entries(ZERO)) {
    for (const [op, fn] of Object.entries(compare)) {
      env.registerOperator(`null ${op} ${t}`, (_n: null, b: unknown) => fn(zero, comparable(b)));
      env.registerOperator(`${t} ${op} null`, (a: unknown) => fn(comparable(a), zero));
    }
  }
}

function registerConcatenation(env: Environment): void {
  const concat = (a: unknown, b: unknown) => `${formatGoValue(a)}${formatGoValue(b)}`;
  for (const left of ADDERS) {
    for (const right of TYPES) {
      if (left === right) continue;
      // Native in cel-go: timestamp + duration and duration + timestamp.
      if ((left === TIMESTAMP && right === DURATION) || (left === DURATION && right === TIMESTAMP)) continue;
      env.registerOperator(`${left} + ${right}: string`, concat);
    }
  }
}

function registerMixedEquality(env: Environment): void {
  const numeric = (a: unknown, b: unknown) => numericEquals(comparable(a), comparable(b));
  for (let i = 0; i < TYPES.length; i++) {
    for (let j = i + 1; j < TYPES.length; j++) {
      const left = TYPES[i] ?? "";
      const right = TYPES[j] ?? "";
      const bothNumeric = NUMERIC.includes(left) && NUMERIC.includes(right);
      env.registerOperator(`${left} == ${right}`, bothNumeric ? numeric : () => false);
    }
  }
}

/** Exact int/uint vs double equality (no rounding of large ints through Number). */
function numericEquals(a: Comparable, b: Comparable): boolean {
  if (typeof a === typeof b) return a === b;
  const [int, double] = typeof a === "bigint" ? [a, b] : [b, a];
  return typeof double === "number" && Number.isInteger(double) && BigInt(double) === int;
}
