/**
 * Query parameters of the REST listings as zod schemas: the routes parse requests with them and
 * the OpenAPI document lists them, so both always agree. Every problem is a 400 naming the
 * parameter (see `parseQuery`).
 */
import * as z from "zod";
import { ValidationError } from "../../../domain/errors.js";
import { RUN_STATUSES, type RunStatus } from "../../../domain/schemas.js";

export const MAX_PAGE = 100;

/** Whole digits only: `Number("0x10")` or `Number(" 5")` would be accepted otherwise. */
const digits = (v: unknown) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v);

export const limitParam = z
  .preprocess(
    digits,
    z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(1, { error: `must be between 1 and ${MAX_PAGE}` })
      .max(MAX_PAGE, { error: `must be between 1 and ${MAX_PAGE}` }),
  )
  .optional()
  .describe(`Page size, 1 to ${MAX_PAGE} (default ${MAX_PAGE})`);

/**
 * A time as RFC 3339 / ISO 8601 (`2030-01-01T00:00:00Z`, `2030-01-01`) or epoch seconds or
 * milliseconds, told apart by magnitude as Inngest's dateutil does. Returns epoch ms.
 */
export function parseTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 946_684_800) return undefined; // before 2000: not a plausible time
    return n < 10_000_000_000 ? n * 1000 : n;
  }
  // Date.parse also takes loose forms ("1 2 2030"): insist on an ISO date first.
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([Zz]|[+-]\d{2}:\d{2})?)?$/.exec(
    text,
  );
  if (!iso) return undefined;
  // A time without an offset is UTC (as in Go), not the server's local time.
  const ms = Date.parse(iso[2] ? `${iso[1]}T${iso[2]}${iso[3] ?? "Z"}` : `${iso[1]}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function timeParam(description: string) {
  return z
    .string()
    .transform((text, ctx) => {
      const ms = parseTime(text);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: "must be an RFC 3339 time or epoch seconds/milliseconds" });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ format: "date-time", description: `${description}; RFC 3339, or epoch seconds or milliseconds` });
}

/** A comma-separated list (API Gateway also joins repeated parameters with commas). */
export function listParam(description: string) {
  return z
    .string()
    .transform((text) =>
      text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .describe(`${description}; comma-separated or repeated for several`);
}

const statusByLowercase = new Map<string, RunStatus>(RUN_STATUSES.map((s) => [s.toLowerCase(), s]));

export const statusParam = listParam(`Run statuses (${RUN_STATUSES.join(", ")})`).transform(
  (names, ctx): RunStatus[] => {
    const out: RunStatus[] = [];
    for (const name of names) {
      const status = statusByLowercase.get(name.toLowerCase());
      if (status) out.push(status);
      else ctx.addIssue({ code: "custom", message: `unknown run status "${name}"` });
    }
    return out;
  },
);

/**
 * Cursors wrap the store's own (opaque) cursor with the listing it belongs to and the time window
 * of its first page: later pages keep that window (a default "until now" would otherwise move
 * between requests), and a cursor not produced here, or by another listing, is a 400 before any
 * store sees it. Listings with no time window (cancellations) keep 0 for both ends.
 */
const CURSOR_KINDS = ["events", "runs", "cancellations"] as const;
type CursorKind = (typeof CURSOR_KINDS)[number];
const cursorBody = z.object({
  k: z.enum(CURSOR_KINDS),
  c: z.string().min(1),
  f: z.number(),
  u: z.number(),
});
export interface PageCursor {
  store: string;
  from: number;
  until: number;
}

export function encodeCursor(kind: CursorKind, cursor: PageCursor): string {
  const body: z.infer<typeof cursorBody> = { k: kind, c: cursor.store, f: cursor.from, u: cursor.until };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

export function cursorParam(kind: CursorKind) {
  return z
    .string()
    .transform((text, ctx): PageCursor => {
      const decoded = decodeCursor(text);
      if (decoded?.k !== kind) {
        ctx.addIssue({ code: "custom", message: "is not a cursor of this listing" });
        return z.NEVER;
      }
      return { store: decoded.c, from: decoded.f, until: decoded.u };
    })
    .optional()
    .describe("The `cursor` of the previous page (it keeps that page's time window)");
}

function decodeCursor(text: string): z.infer<typeof cursorBody> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const parsed = cursorBody.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a query with its schema; any problem is a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`);
  throw new ValidationError(`invalid query parameter: ${problems.join("; ")}`);
}

/**
 * The [from, until] window of a listing: the cursor's when paging on, else the one asked for, with
 * `until` defaulting to now and `from` to `defaultSpanMs` before it. `from` after `until` is a 400.
 */
export function timeWindow(
  range: { from?: number; until?: number; cursor?: PageCursor },
  now: number,
  defaultSpanMs: number,
  names: [string, string],
): { from: number; until: number } {
  if (range.cursor) return { from: range.cursor.from, until: range.cursor.until };
  const until = range.until ?? now;
  const from = range.from ?? until - defaultSpanMs;
  if (from > until) throw new ValidationError(`${names[0]} must not be later than ${names[1]}`);
  return { from, until };
}
