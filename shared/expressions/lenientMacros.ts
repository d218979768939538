/**
 * Macros standing in for `||`, `&&`, `?:` and `has()` (rewrite.ts renames them), because the
 * library evaluates those natively with strict CEL typing and no hook.
 *
 * - `__or` / `__and` follow Inngest's evalTruthyLogical: both sides are evaluated; when both are
 *   booleans the result is plain CEL logic, otherwise JS-like truthiness picks a side and returns
 *   its value (`event.data.ingressId || event.data.userId` is a common debounce key).
 * - `__cond` tests its condition for truthiness too (evalTruthyCondition), so a missing or
 *   failing condition picks the else branch.
 * - `__try` turns a failing operand into unknown: cel-go's decorator handles error operands of
 *   operators and functions exactly like unknown ones.
 * - `__has` treats a field filled with the unknown sentinel as absent.
 */

import type { ASTNode, Environment } from "@marcbachmann/cel-js";
import { isTruthy, UNKNOWN } from "./unknown.js";

/** The parts of the library's checker and evaluator that custom macros receive (untyped upstream). */
interface MacroChecker {
  check(node: ASTNode, ctx: unknown): unknown;
  getType(name: string): unknown;
}
interface MacroEvaluator {
  run(node: ASTNode, ctx: unknown): unknown;
  tryEval(node: ASTNode, ctx: unknown): unknown;
}
interface Macro {
  args: ASTNode[];
}

function macro(resultType: string, evaluate: (ev: MacroEvaluator, args: ASTNode[], ctx: unknown) => unknown) {
  return ({ args }: Macro) => ({
    args,
    async: false,
    typeCheck(checker: MacroChecker, m: Macro, ctx: unknown): unknown {
      for (const arg of m.args) checker.check(arg, ctx);
      return checker.getType(resultType);
    },
    evaluate: (ev: MacroEvaluator, m: Macro, ctx: unknown): unknown => evaluate(ev, m.args, ctx),
  });
}

function logical(isOr: boolean) {
  return (ev: MacroEvaluator, args: ASTNode[], ctx: unknown): unknown => {
    const values = args.map((arg) => ev.tryEval(arg, ctx));
    if (values.every((v) => typeof v === "boolean")) {
      return isOr ? values.some((v) => v) : values.every((v) => v);
    }
    // || returns the first truthy value, && the first falsy one; else the last value.
    const picked = values.find((v) => isTruthy(v) === isOr) ?? values[values.length - 1];
    if (picked instanceof Error) throw picked;
    return picked;
  };
}

function conditional(ev: MacroEvaluator, args: ASTNode[], ctx: unknown): unknown {
  const [test, whenTrue, whenFalse] = args;
  if (!test || !whenTrue || !whenFalse) throw new Error("?: needs three operands");
  return ev.run(isTruthy(ev.tryEval(test, ctx)) ? whenTrue : whenFalse, ctx);
}

function attempt(ev: MacroEvaluator, args: ASTNode[], ctx: unknown): unknown {
  const [operand] = args;
  if (!operand) throw new Error("__try needs an operand");
  const value = ev.tryEval(operand, ctx);
  return value instanceof Error ? UNKNOWN : value;
}

/** has(x.f): the macro gets the select node, evaluates x and tests f itself. */
const hasMacro = ({ args }: Macro) => {
  const select = args[0];
  if (select?.op !== ".") throw new Error("has() needs a field selection such as has(event.data.x)");
  const [target, field] = select.args;
  return {
    args,
    async: false,
    typeCheck(checker: MacroChecker, _m: Macro, ctx: unknown): unknown {
      checker.check(target, ctx);
      return checker.getType("bool");
    },
    evaluate(ev: MacroEvaluator, _m: Macro, ctx: unknown): boolean {
      return hasField(ev.run(target, ctx), field);
    },
  };
};

function hasField(obj: unknown, field: string): boolean {
  if (obj === UNKNOWN) return false;
  if (obj instanceof Map) return obj.has(field) && obj.get(field) !== UNKNOWN;
  if (obj !== null && typeof obj === "object" && !Array.isArray(obj)) {
    const value: unknown = Object.hasOwn(obj, field) ? Reflect.get(obj, field) : undefined;
    return value !== undefined && value !== UNKNOWN;
  }
  throw new Error(`has() cannot test a field of ${obj === null ? "null" : typeof obj}`);
}

export function registerLenientMacros(env: Environment): void {
  env
    .registerFunction("__or(ast, ast): dyn", macro("dyn", logical(true)))
    .registerFunction("__and(ast, ast): dyn", macro("dyn", logical(false)))
    .registerFunction("__cond(ast, ast, ast): dyn", macro("dyn", conditional))
    .registerFunction("__try(ast): dyn", macro("dyn", attempt))
    .registerFunction("__has(ast): bool", hasMacro);
}
