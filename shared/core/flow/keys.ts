/**
 * Flow-control keys: a key expression evaluated over the triggering event, once per run, and
 * hashed into a short stable id for counter and lock names (SEMANTICS 4: an evaluation error or a
 * missing field gives the value "false", so all such runs share one bucket).
 */

import { createHash } from "node:crypto";
import type { InngestEvent } from "../../domain/schemas.js";
import { evaluateKey } from "../../expressions/index.js";

/** The key expression's value for `event` ("false" on error or when the field is missing). */
function keyValue(expression: string, event: InngestEvent): string {
  return evaluateKey(expression, { event }) ?? "false";
}

/** A short stable hash of a key value (counter and lock names stay small whatever the value). */
export function hashKey(value: string): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, 22);
}

/** The hashed key of `expression` over `event`, or "" when there is no expression (one per function). */
export function flowKey(expression: string | undefined, event: InngestEvent): string {
  return expression ? hashKey(keyValue(expression, event)) : "";
}
