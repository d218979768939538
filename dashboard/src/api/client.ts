/**
 * The one way the dashboard talks to Tideline: GraphQL at /v0/gql and REST under /v1, both on the
 * page's own origin. In cloud mode every call needs the API key as a bearer token; the key lives in
 * sessionStorage only (gone when the tab closes).
 */

const KEY_STORAGE = "tideline.apiKey";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The API answered 401: an API key is needed (or the one given was refused). */
export class Unauthorized extends Error {
  override name = "Unauthorized";
}

/** No answer from the API (network down, server stopped, or a gateway error in front of it). */
export class Unreachable extends Error {
  override name = "Unreachable";
}

/** The API answered with an error: a GraphQL error or a REST error body. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly body: Json = null,
  ) {
    super(message);
  }
}

export function apiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage refused (private mode): the key lasts until the page reloads at most.
  }
}

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const headers: Record<string, string> = { accept: "application/json" };
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new Unreachable(err instanceof Error ? err.message : String(err));
  }
  if (res.status === 401) throw new Unauthorized("An API key is required");
  const text = await res.text();
  let json: Json = null;
  try {
    json = text ? (JSON.parse(text) as Json) : null;
  } catch {
    // A gateway or proxy answering for a server that is not there.
    if (res.status >= 500) throw new Unreachable(`HTTP ${res.status}`);
    throw new ApiError(`Unexpected answer (HTTP ${res.status}): ${text.slice(0, 200)}`, res.status);
  }
  // A gateway's own error (`{"message": …}`), not one of Tideline's (`{status, error}`, `{errors}`).
  if (
    [502, 503, 504].includes(res.status) &&
    !(isObject(json) && ("error" in json || "errors" in json || "status" in json))
  ) {
    throw new Unreachable(`HTTP ${res.status}`);
  }
  return { status: res.status, json };
}

export function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The messages of a GraphQL `errors` list, or of a REST `{error}` body. */
function errorMessage(json: Json): string | undefined {
  if (!isObject(json)) return undefined;
  const { errors, error } = json;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .map((e) => (isObject(e) && typeof e.message === "string" ? e.message : String(e)))
      .join("; ");
  }
  if (typeof error === "string") return error;
  if (isObject(error) && typeof error.message === "string") return error.message;
  return undefined;
}

/** Runs a GraphQL operation; any error in the answer throws an ApiError with its messages. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { status, json } = await send("POST", "/v0/gql", { query, variables });
  const message = errorMessage(json);
  if (message !== undefined) throw new ApiError(message, status);
  if (!isObject(json) || !isObject(json.data))
    throw new ApiError(`No data in the answer (HTTP ${status})`, status);
  return json.data as T;
}

/** Calls a REST route; a non-2xx answer throws an ApiError with the body's message. */
export async function rest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const { status, json } = await send(method, path, body);
  if (status < 200 || status >= 300) {
    throw new ApiError(errorMessage(json) ?? `HTTP ${status}`, status, json);
  }
  return json as T;
}

/** A readable one-line description of an error from this module (or anything else thrown). */
export function describeError(err: unknown): string {
  if (err instanceof Unreachable) return "Can't reach the Tideline API";
  if (err instanceof Unauthorized) return "An API key is required";
  if (err instanceof Error) return err.message;
  return String(err);
}
