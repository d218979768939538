/**
 * One walk over the library's AST that (1) re-emits the source with `||`, `&&`, `?:` and `has()`
 * replaced by the lenient macros of lenientMacros.ts (the library offers no hook on those
 * operators) and with operands of operators and functions wrapped in `__try()`, because Inngest
 * treats an operand that fails (`event.data.list[9].x`) like an unknown one; (2) collects the
 * `event.*` / `async.*` / `vars.*` paths to fill before evaluation; and (3) finds calls outside
 * cel-go's standard library plus Inngest's functions.
 * Literals are copied verbatim from the source so numbers and strings keep their exact spelling.
 */

import type { ASTNode } from "@marcbachmann/cel-js";
import { INNGEST_FUNCTIONS } from "./inngestFunctions.js";

export const ROOT_VARIABLES = ["event", "async", "vars"] as const;

/** Referenced field names, nested: root variable → field → sub-field … */
export type PathTrie = Map<string, PathTrie>;

export interface Analysis {
  rewritten: string;
  paths: PathTrie;
  /** The first call to a function Inngest's cel-go environment does not declare. */
  unknownCall?: { name: string; start: number };
}

/** cel-go's standard library (no extensions: inngest/inngest#1704) and Inngest's functions. */
const GLOBAL_FUNCTIONS = new Set<string>([
  ...["size", "bool", "bytes", "double", "duration", "dyn", "int", "string", "timestamp", "type", "uint"],
  ...["matches", "has", ...INNGEST_FUNCTIONS],
]);
const METHODS = new Set<string>([
  ...["size", "contains", "startsWith", "endsWith", "matches"],
  ...["all", "exists", "exists_one", "map", "filter"],
  ...["getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getMonth"],
  ...["getHours", "getMinutes", "getSeconds", "getMilliseconds"],
]);

const MACROS = new Set(["all", "exists", "exists_one", "map", "filter"]);
const CANNOT_FAIL = new Set(["value", "id"]);
const ROOTS = new Set<string>(ROOT_VARIABLES);
const BINARY = new Set(["==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%"]);

export function analyse(ast: ASTNode): Analysis {
  const state: Omit<Analysis, "rewritten"> = { paths: new Map() };
  const rewritten = emit(ast, state);
  return { rewritten, ...state };
}

function emit(node: ASTNode, state: Omit<Analysis, "rewritten">): string {
  const e = (n: ASTNode) => emit(n, state);
  switch (node.op) {
    case "value":
      return node.input.slice(node.start, node.end);
    case "id":
      return node.args;
    case ".":
      recordPath(node, state.paths);
      return `${postfix(node.args[0], state)}.${node.args[1]}`;
    case "[]":
      recordPath(node, state.paths);
      return `${postfix(node.args[0], state)}[${e(node.args[1])}]`;
    case "call": {
      const [name, args] = node.args;
      checkCall(name, GLOBAL_FUNCTIONS, node, state);
      // has() keeps its select argument; the macro needs the field to test, not its value.
      if (name === "has" && args.length === 1 && args[0]?.op === ".") return `__has(${e(args[0])})`;
      return `${name}(${args.map((a) => guarded(a, state)).join(", ")})`;
    }
    case "rcall": {
      const [name, receiver, args] = node.args;
      checkCall(name, METHODS, node, state);
      // Comprehension macros take their arguments as syntax: leave them alone.
      if (MACROS.has(name)) return `${postfix(receiver, state)}.${name}(${args.map(e).join(", ")})`;
      return `${guarded(receiver, state)}.${name}(${args.map((a) => guarded(a, state)).join(", ")})`;
    }
    case "list":
      return `[${node.args.map(e).join(", ")}]`;
    case "map":
      return `{${node.args.map(([k, v]) => `${e(k)}: ${e(v)}`).join(", ")}}`;
    case "?:":
      return `__cond(${node.args.map(e).join(", ")})`;
    case "||":
      return `__or(${e(node.args[0])}, ${e(node.args[1])})`;
    case "&&":
      return `__and(${e(node.args[0])}, ${e(node.args[1])})`;
    case "!_":
      return `!${guarded(node.args, state)}`;
    case "-_": {
      const arg = node.args;
      // Keep "-9223372036854775808" a single literal: the positive half would overflow.
      if (arg.op === "value" && !e(arg).startsWith("-")) return `-${e(arg)}`;
      return `-${guarded(arg, state)}`;
    }
    default:
      if (BINARY.has(node.op)) {
        const [left, right] = node.args as [ASTNode, ASTNode];
        // cel-go's `+` returns a failed left operand but skips a failed right one.
        const l = node.op === "+" ? operand(left, state) : guarded(left, state);
        return `${l} ${node.op} ${guarded(right, state)}`;
      }
      throw new Error(`unsupported syntax '${node.op}'`);
  }
}

/** Parenthesises operators; the emitted text of everything else is a primary expression. */
function operand(node: ASTNode, state: Omit<Analysis, "rewritten">): string {
  const text = emit(node, state);
  return BINARY.has(node.op) || node.op === "!_" || node.op === "-_" ? `(${text})` : text;
}

/** An operand that may fail at run time, turned into unknown by `__try` when it does. */
function guarded(node: ASTNode, state: Omit<Analysis, "rewritten">): string {
  if (CANNOT_FAIL.has(node.op)) return postfix(node, state);
  return `__try(${emit(node, state)})`;
}

/** A receiver or select target: also parenthesise numbers, so `1.0.x` cannot be misread. */
function postfix(node: ASTNode, state: Omit<Analysis, "rewritten">): string {
  if (node.op === "value" && typeof node.args !== "string") return `(${emit(node, state)})`;
  return operand(node, state);
}

function checkCall(name: string, allowed: Set<string>, node: ASTNode, state: Omit<Analysis, "rewritten">) {
  if (!allowed.has(name) && !state.unknownCall) state.unknownCall = { name, start: node.start };
}

/** Adds `event.data.x` (also spelled `event["data"].x`) to the trie; other shapes are ignored. */
function recordPath(node: ASTNode, trie: PathTrie): void {
  const path = pathOf(node);
  if (!path) return;
  let level = trie;
  for (const segment of path) {
    let next = level.get(segment);
    if (!next) {
      next = new Map();
      level.set(segment, next);
    }
    level = next;
  }
}

function pathOf(node: ASTNode): string[] | undefined {
  if (node.op === "id") return ROOTS.has(node.args) ? [node.args] : undefined;
  if (node.op === ".") {
    const parent = pathOf(node.args[0]);
    return parent && [...parent, node.args[1]];
  }
  if (node.op === "[]") {
    const [target, key] = node.args;
    if (key.op !== "value" || typeof key.args !== "string") return undefined;
    const parent = pathOf(target);
    return parent && [...parent, key.args];
  }
  return undefined;
}
