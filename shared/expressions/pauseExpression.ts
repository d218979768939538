/**
 * Pauses (`step.waitForEvent`, `cancelOn`): an expression over `event` (the run's trigger, known
 * now) and `async` (a candidate event, known later). preparePause keeps only the parts of `event`
 * the expression reads, and finds an equality every match must satisfy, so stored pauses can be
 * looked up by `indexKey(valueAt(incoming, index.path))` instead of evaluating each one.
 *
 * Why the index is safe in Inngest's dialect: `__and` is truthy only when every operand is truthy
 * (lenientMacros), `==` always yields a boolean, and `==` across types is false except between
 * numbers, which are compared by value (lenientOverloads). So a top-level conjunct
 * `async.p == v` that holds means async.p is a string, number or boolean equal to v in JS terms
 * (an int literal equals a JSON double only when it is exactly that double).
 */

import type { ASTNode } from "@marcbachmann/cel-js";
import { UnsignedInt } from "@marcbachmann/cel-js/evaluator";
import { isJsonObject, type JsonObject, toJson } from "../domain/json.js";
import { indexKey, valueAt, valueAtSegments } from "../domain/pauses.js";
import { celEnvironment } from "./environment.js";

export { indexKey, valueAt };

import { evaluateBoolean, validateExpression } from "./index.js";

export interface PreparedPause {
  /** The source as given (or "true" when none). */
  source: string;
  /** Only the parts of the triggering event the expression references: a sparse copy of `event`. */
  event: JsonObject;
  /** A top-level conjunct `async.<path> == <value>` every match satisfies; `key` is indexKey(value). */
  index?: { path: string; key: string };
}

export function preparePause(
  source: string | undefined,
  event: unknown,
): { ok: true; pause: PreparedPause } | { ok: false; error: string } {
  // A blank expression is treated like none: match every event.
  const text = source?.trim() ? source : "true";
  const error = validateExpression(text);
  if (error !== undefined) return { ok: false, error: `invalid pause expression: ${error}` };
  const ast = celEnvironment().parse(text).ast;
  const pause: PreparedPause = { source: text, event: sparseEvent(ast, event) };
  const index = findIndex(ast, event);
  if (index) pause.index = index;
  return { ok: true, pause };
}

/** Whether an incoming event satisfies a prepared pause. */
export function pauseMatches(pause: Pick<PreparedPause, "source" | "event">, incoming: unknown): boolean {
  return evaluateBoolean(pause.source, { event: pause.event, async: incoming });
}

// --- index -----------------------------------------------------------------------------------

function findIndex(ast: ASTNode, event: unknown): PreparedPause["index"] {
  for (const conjunct of conjuncts(ast)) {
    if (conjunct.op !== "==") continue;
    const [left, right] = conjunct.args;
    for (const [target, other] of [[left, right] as const, [right, left] as const]) {
      const path = accessPath(target, "async");
      // Segments join with "." for valueAt, so a bracket key containing a dot cannot be indexed.
      if (!path || path.length === 0 || path.some((s) => s.includes("."))) continue;
      const key = indexKey(operandValue(other, event));
      if (key !== undefined) return { path: path.join("."), key };
    }
  }
  return undefined;
}

/** Top-level `&&` operands; parentheses are not in the AST, and `||`, `!`, `?:` are never entered. */
function conjuncts(node: ASTNode): ASTNode[] {
  return node.op === "&&" ? [...conjuncts(node.args[0]), ...conjuncts(node.args[1])] : [node];
}

/** A literal (numbers as JS numbers) or an `event.*` attribute resolved now; undefined otherwise. */
function operandValue(node: ASTNode, event: unknown): unknown {
  if (node.op === "value") {
    const value = node.args;
    if (typeof value === "bigint") return Number(value);
    if (value instanceof UnsignedInt) return Number(value.valueOf());
    return value;
  }
  if (node.op === "-_") {
    // Negative literals parse as negation; uint cannot be negated, so only int and double.
    const inner = node.args;
    if (inner.op !== "value") return undefined;
    const value = inner.args;
    if (typeof value === "bigint" || typeof value === "number") return -Number(value);
    return undefined;
  }
  const path = accessPath(node, "event");
  return path ? valueAtSegments(event, path) : undefined;
}

/** `root.a.b` / `root["a"].b` as ["a", "b"]; undefined for any other shape. */
function accessPath(node: ASTNode, root: string): string[] | undefined {
  if (node.op === "id") return node.args === root ? [] : undefined;
  if (node.op === ".") {
    const parent = accessPath(node.args[0], root);
    return parent && [...parent, node.args[1]];
  }
  if (node.op === "[]") {
    const [target, key] = node.args;
    if (key.op !== "value" || typeof key.args !== "string") return undefined;
    const parent = accessPath(target, root);
    return parent && [...parent, key.args];
  }
  return undefined;
}

// --- sparse event ----------------------------------------------------------------------------

/** Needed paths: `true` where the whole value is read, else the sub-paths read below it. */
type Needed = true | Map<string, Needed>;

/**
 * The compiler's path trie cannot tell `event.data` read whole (`size(event.data)`) from only
 * `event.data.x`, so the outermost access chains are collected here and copied whole.
 */
function sparseEvent(ast: ASTNode, event: unknown): JsonObject {
  let needed: Needed = new Map();
  const visit = (node: ASTNode): void => {
    const path = accessPath(node, "event");
    if (path) {
      needed = addPath(needed, path);
      return;
    }
    for (const child of children(node)) visit(child);
  };
  visit(ast);
  return isJsonObject(event) ? copyNeeded(event, needed) : {};
}

function addPath(needed: Needed, path: readonly string[]): Needed {
  if (needed === true) return true;
  const [head, ...rest] = path;
  if (head === undefined) return true;
  needed.set(head, addPath(needed.get(head) ?? new Map(), rest));
  return needed;
}

function copyNeeded(obj: JsonObject, needed: Needed): JsonObject {
  if (needed === true) return toJsonObject(obj);
  const out: JsonObject = {};
  for (const [key, sub] of needed) {
    if (!Object.hasOwn(obj, key) || obj[key] === undefined) continue;
    const value = obj[key];
    // A non-object on the way (null, string, list) is kept whole: reading below it must still fail
    // (or turn unknown) exactly as it would on the full event.
    const copy = sub !== true && isJsonObject(value) ? copyNeeded(value, sub) : toJson(value);
    // defineProperty, not assignment: a key such as `__proto__` must stay a plain key.
    Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function toJsonObject(obj: JsonObject): JsonObject {
  const json = toJson(obj);
  return isJsonObject(json) ? json : {};
}

function children(node: ASTNode): ASTNode[] {
  switch (node.op) {
    case "value":
    case "id":
      return [];
    case ".":
    case ".?":
      return [node.args[0]];
    case "call":
      return node.args[1];
    case "rcall":
      return [node.args[1], ...node.args[2]];
    case "list":
      return node.args;
    case "map":
      return node.args.flat();
    case "?:":
      return node.args;
    case "!_":
    case "-_":
      return [node.args];
    default:
      return node.args;
  }
}
