/**
 * The `POST /fn/register` body (PROTOCOL 3.3, 3.4, 9). JS sends `appName`/`deployType`; Python
 * sends `appname`/`deploy_type` and strips nulls — Go matches keys case-insensitively, so both
 * spellings are accepted and nothing optional is required.
 */
import * as z from "zod";
import type { JsonObject } from "../domain/json.js";
import { isJsonObject, toJson } from "../domain/json.js";
import type { Trigger } from "../domain/schemas.js";
import { DEFAULT_RETRIES, MAX_RETRIES } from "./constants.js";
import {
  type FunctionConfigInput,
  formatPath,
  functionConfigSchema,
  httpUrlSchema,
} from "./functionConfig.js";

export interface ParsedFunction {
  slug: string;
  name: string;
  triggers: Trigger[];
  /** `steps.step.runtime.url`: the SDK URL with fnId and stepId=step. */
  url: string;
  retries: number;
  /** The function's JSON exactly as received. */
  config: JsonObject;
}

export interface ParsedRegistration {
  appId: string;
  url: string;
  sdk: string;
  framework?: string;
  appVersion?: string;
  functions: ParsedFunction[];
}

export type RegistrationResult = { ok: true; value: ParsedRegistration } | { ok: false; error: string };

const optString = z.string({ error: "must be a string" }).nullish();

/** Top-level shape; each function is validated separately for path-indexed messages. */
export const registerRequestSchema = z
  .object(
    {
      url: httpUrlSchema,
      appName: z.string({ error: "must be a string" }).min(1, "must not be empty").nullish(),
      appname: z.string({ error: "must be a string" }).min(1, "must not be empty").nullish(),
      sdk: optString,
      framework: optString,
      appVersion: optString,
      deployType: optString,
      deploy_type: optString,
      deployId: optString,
      v: optString,
      capabilities: z.unknown().optional(),
      functions: z.array(z.unknown(), { error: "must be an array" }).nullish(),
    },
    { error: "Request body must be a JSON object" },
  )
  .superRefine((body, ctx) => {
    if (body.appName == null && body.appname == null) {
      ctx.addIssue({ code: "custom", message: "is required", path: ["appName"] });
    }
  });

/** Drops nulls so the stored trigger is `{event, expression?}` or `{cron, jitter?}`. */
function toTrigger(t: NonNullable<FunctionConfigInput["triggers"]>[number]): Trigger {
  if (t.event != null) {
    return { event: t.event, ...(t.expression != null ? { expression: t.expression } : {}) };
  }
  return { cron: t.cron ?? "", ...(t.jitter != null ? { jitter: t.jitter } : {}) };
}

/** Step-level `retries.attempts` wins over a top-level count; default 4, clamped to 20. */
function retriesOf(fn: FunctionConfigInput, step: FunctionConfigInput["steps"][string]): number {
  const n = step.retries?.attempts ?? fn.retries ?? DEFAULT_RETRIES;
  return Math.min(n, MAX_RETRIES);
}

function issuesToText(prefix: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = formatPath(prefix, issue.path);
    return path === "" ? issue.message : `${path}: ${issue.message}`;
  });
}

export function parseRegistration(body: unknown): RegistrationResult {
  const top = registerRequestSchema.safeParse(body);
  if (!top.success) return { ok: false, error: issuesToText("", top.error.issues).join("; ") };
  const rawFunctions = top.data.functions ?? [];

  const errors: string[] = [];
  const functions: ParsedFunction[] = [];
  const firstIndexOf = new Map<string, number>();
  for (const [i, raw] of rawFunctions.entries()) {
    const parsed = functionConfigSchema.safeParse(raw);
    if (!parsed.success) {
      errors.push(...issuesToText(`functions[${i}]`, parsed.error.issues));
      continue;
    }
    const fn = parsed.data;
    const earlier = firstIndexOf.get(fn.id);
    if (earlier !== undefined) {
      errors.push(`functions[${i}].id: duplicate function id "${fn.id}" (also functions[${earlier}])`);
      continue;
    }
    firstIndexOf.set(fn.id, i);
    // The protocol has exactly one step keyed "step"; like Go, fall back to the first entry.
    const step = fn.steps.step ?? Object.values(fn.steps)[0];
    if (!step) continue; // unreachable: the schema requires one entry
    const config = toJson(raw);
    functions.push({
      slug: fn.id,
      name: fn.name,
      triggers: (fn.triggers ?? []).map(toTrigger),
      url: step.runtime.url,
      retries: retriesOf(fn, step),
      config: isJsonObject(config) ? config : {},
    });
  }
  if (errors.length > 0) {
    return { ok: false, error: `At least one function is invalid: ${errors.join("; ")}` };
  }

  const { data } = top;
  return {
    ok: true,
    value: {
      appId: data.appName ?? data.appname ?? "",
      url: data.url,
      // Custom SDKs may omit it; the record still needs a value to show.
      sdk: data.sdk ?? "unknown",
      ...(data.framework ? { framework: data.framework } : {}),
      ...(data.appVersion ? { appVersion: data.appVersion } : {}),
      functions,
    },
  };
}
