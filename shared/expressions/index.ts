/**
 * Inngest's expression dialect (SEMANTICS 2): CEL with lenient "unknown" handling, mixed-type
 * `+` concatenation, JS-like `&&`/`||`, heterogeneous numeric comparison and Inngest's functions,
 * evaluated with @marcbachmann/cel-js. Used for trigger `if` filters, and later keys, waits and
 * cancels. How: missing referenced attributes are filled with an unknown sentinel (fillUnknowns),
 * overloads give it cel-go's answers (lenientOverloads), and `||`/`&&`/`?:`/`has()` and failing
 * operands are handled by macros the source is rewritten into (rewrite, lenientMacros).
 *
 * Known deviations from Inngest's cel-go dialect (each has a test in test/unit/expressions/deviations):
 * - `has(event.data.missing)` is false and `!has(...)` true, as in standard CEL. In cel-go the
 *   field is an unknown attribute, so (we believe) `has()` is unknown and `!has()` false too.
 * - On an unknown value only the operators, `size`, conversions, string methods and Inngest's
 *   functions answer like cel-go (false, or 0 for size). Others (timestamp getters) fail, and a
 *   failing operand is unknown, so `!event.data.missing.getHours()` is false (cel-go: true).
 * - Ordering (`<`, `>` …) literals of unrelated types (`"a" < 1`) fails validation; cel-go
 *   accepts it and fails at run time (no match either way).
 * - `date()` also takes an integral double (e.g. `date(event.ts)`); cel-go's takes string or int.
 *   Dates parse RFC3339, "2006-01-02T15:04:05", "2006-01-02", RFC1123(Z) and Go's time format,
 *   not Go's rarer layouts. Timestamps have millisecond precision; `%v` prints them in UTC.
 * - Regular expressions (`matches`) are JavaScript's, not RE2 (no `(?i)`); b64decode is lenient
 *   about padding and invalid characters.
 * Faithfully reproduced quirks worth knowing: JSON numbers are doubles, so `event.data.n + 1` is
 * the string "51" for n = 5 (use `int(event.data.n) + 1`), and `event.ts` as a key is "1.7e+12".
 */

import { compileExpression } from "./compile.js";
import { prepareVariables } from "./fillUnknowns.js";
import { formatGoValue } from "./goFormat.js";
import { isUnknown } from "./unknown.js";

/** Compile-checks an expression; returns an error message (for a 400 at sync) or undefined. */
export function validateExpression(source: string): string | undefined {
  const compiled = compileExpression(source);
  return compiled.ok ? undefined : compiled.error;
}

/** Evaluates a boolean expression; false on any evaluation error or non-boolean result (no match). */
export function evaluateBoolean(source: string, vars: { event?: unknown; async?: unknown }): boolean {
  return evaluate(source, vars) === true;
}

/**
 * Evaluates a key expression: the result formatted like Go's fmt %v (strings as-is, numbers like
 * Go, true/false); undefined on error. A result that stays unknown (e.g. `event.data.missing`) is
 * "false", as Inngest evaluates it to false; for rate limit and singleton that means "not applied".
 */
export function evaluateKey(source: string, vars: { event?: unknown }): string | undefined {
  const result = evaluate(source, vars);
  if (result === FAILED) return undefined;
  if (isUnknown(result)) return "false";
  return formatGoValue(result);
}

const FAILED: unique symbol = Symbol("evaluation failed");

function evaluate(source: string, vars: Readonly<Record<string, unknown>>): unknown {
  const compiled = compileExpression(source);
  if (!compiled.ok) return FAILED;
  try {
    const result: unknown = compiled.program(prepareVariables(vars, compiled.paths));
    return result;
  } catch {
    return FAILED;
  }
}
