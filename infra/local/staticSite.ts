/**
 * The dashboard as `tideline dev` serves it at `/`, the way CloudFront serves it in the cloud: the
 * API's paths go to the API (API_PATH_PATTERNS), every other GET reads the built dashboard
 * (`dashboard/dist`, built by `npm run dev` and `npm test`). Text is gzipped for clients that
 * accept it, as CloudFront compresses; hashed assets are cached for good, index.html never.
 */
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { isApiPath } from "../../shared/resources.js";
import { projectRoot } from "./paths.js";

export const DASHBOARD_DIST = join(projectRoot, "dashboard", "dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const NOT_BUILT = `<!doctype html><title>Tideline</title><p>The dashboard is not built. Run
<code>npm run build:dashboard</code> (or start with <code>npm run dev</code>, which builds it).</p>`;

/** Whether a request is the dashboard's to answer (a GET or HEAD outside the API's paths). */
export function isDashboardRequest(method: string, pathname: string): boolean {
  return (method === "GET" || method === "HEAD") && !isApiPath(pathname);
}

/** The path decoded, or undefined when an escape in it is malformed. */
function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

interface Cached {
  body: Buffer;
  gzipped?: Buffer;
}

export function dashboardSite(root = DASHBOARD_DIST) {
  const cache = new Map<string, Cached>();
  /** A file's contents; kept in memory when `immutable` (a hashed asset never changes under its name). */
  const load = async (file: string, immutable: boolean): Promise<Cached | undefined> => {
    const hit = cache.get(file);
    if (hit) return hit;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const body = await readFile(file);
    const type = TYPES[extname(file)] ?? "";
    const text = /^(text|application\/json|image\/svg)/.test(type);
    const entry: Cached = { body, ...(text && body.length > 1024 ? { gzipped: gzipSync(body) } : {}) };
    if (immutable) cache.set(file, entry);
    return entry;
  };

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const decoded = decodePath(pathname);
    if (decoded === undefined) {
      // A malformed escape (`/%E0%A4%A`) names no file; decodeURIComponent would throw.
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Bad Request" }));
      return;
    }
    const relative = pathname === "/" ? "index.html" : decoded.replace(/^\/+/, "");
    const file = normalize(join(root, relative));
    const inside = file.startsWith(root + sep);
    // The hashed assets never change; index.html (and any other file) changes with each build.
    const immutable = file.startsWith(join(root, "assets") + sep);
    const found = inside ? await load(file, immutable) : undefined;
    if (!found) {
      const notBuilt = relative === "index.html";
      res.writeHead(notBuilt ? 503 : 404, { "content-type": notBuilt ? TYPES[".html"] : "application/json" });
      res.end(notBuilt ? NOT_BUILT : JSON.stringify({ message: "Not Found" }));
      return;
    }
    const gzip = found.gzipped && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip && found.gzipped ? found.gzipped : found.body;
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": String(body.length),
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      // Both forms of a file that has a gzipped one vary, so a cache never serves one for the other.
      ...(found.gzipped ? { vary: "accept-encoding" } : {}),
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}
