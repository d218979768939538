/**
 * Parse → analyse/rewrite → type-check, cached per source text. Errors are cached as well, so an
 * invalid expression on a hot path costs one lookup. Inngest caches 50,000 for 30 minutes; our
 * processes are short-lived Lambdas, so a bounded LRU of 1,000 is plenty.
 */

import type { ParseResult } from "@marcbachmann/cel-js";
import { celEnvironment } from "./environment.js";
import { LruCache } from "./lruCache.js";
import { analyse, type PathTrie } from "./rewrite.js";

export type Compiled =
  | { ok: true; program: ParseResult; paths: PathTrie; rewritten: string }
  | { ok: false; error: string };

export const EXPRESSION_CACHE_SIZE = 1000;

const cache = new LruCache<string, Compiled>(EXPRESSION_CACHE_SIZE);

export function compileExpression(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  const compiled = compileUncached(source);
  cache.set(source, compiled);
  return compiled;
}

/** For tests and diagnostics. */
export function expressionCacheSize(): number {
  return cache.size;
}

function compileUncached(source: string): Compiled {
  const env = celEnvironment();
  try {
    // Validate the user's own text first so positions in messages refer to it.
    const original = env.parse(source);
    const analysis = analyse(original.ast);
    if (analysis.unknownCall) {
      const { name, start } = analysis.unknownCall;
      return { ok: false, error: `unknown function '${name}' ${location(source, start)}` };
    }
    const checked = original.check();
    if (!checked.valid) return { ok: false, error: describe(checked.error, source) };

    const program = env.parse(analysis.rewritten);
    const rechecked = program.check();
    if (!rechecked.valid) return { ok: false, error: describe(rechecked.error, analysis.rewritten) };
    return { ok: true, program, paths: analysis.paths, rewritten: analysis.rewritten };
  } catch (error) {
    return { ok: false, error: describe(error, source) };
  }
}

/** One line for a sync 400: the library's summary and where it happened (its message draws the source). */
function describe(error: unknown, source: string): string {
  if (error instanceof Error) {
    const summary = "summary" in error && typeof error.summary === "string" ? error.summary : undefined;
    const start = "range" in error ? rangeStart(error.range) : undefined;
    const text = summary ?? error.message.split("\n")[0] ?? "invalid expression";
    return start === undefined ? text : `${text} ${location(source, start)}`;
  }
  return "invalid expression";
}

function rangeStart(range: unknown): number | undefined {
  if (range === null || typeof range !== "object" || !("start" in range)) return undefined;
  return typeof range.start === "number" ? range.start : undefined;
}

function location(source: string, offset: number): string {
  const before = source.slice(0, offset).split("\n");
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  return before.length > 1 ? `at line ${before.length}, column ${column}` : `at column ${column}`;
}
