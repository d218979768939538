import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The import directions of the codebase, checked on every file: leaves (domain, expressions) at
 * the bottom, protocol and ports on the leaves, the core on those, adapters on ports, and nothing
 * in shared/ on adapters it does not own, infra or lambdas. External packages are held to the
 * layers that may use them. A violation names the file, the import and the rule.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Layer → the layers it may import (its own included). The longest matching prefix wins. */
const INTERNAL: Record<string, readonly string[]> = {
  "shared/domain": ["shared/domain"],
  "shared/expressions": ["shared/expressions", "shared/domain"],
  "shared/protocol": ["shared/protocol", "shared/domain", "shared/expressions"],
  "shared/ports": ["shared/ports", "shared/domain", "shared/metrics.ts"],
  "shared/metrics.ts": ["shared/metrics.ts"],
  "shared/resources.ts": ["shared/domain"],
  "shared/config.ts": ["shared/resources.ts"],
  "shared/core": ["shared/core", "shared/protocol", "shared/ports", "shared/domain", "shared/expressions"],
  "shared/adapters/aws": ["shared/adapters/aws", "shared/ports", "shared/domain", "shared/resources.ts"],
  "shared/adapters/memory": [
    "shared/adapters/memory",
    "shared/ports",
    "shared/domain",
    "shared/resources.ts",
  ],
  "shared/adapters/http": ["shared/adapters/http", "shared/ports", "shared/domain"],
  lambdas: ["lambdas", "shared"],
  "infra/stack": ["infra/stack", "shared/resources.ts", "shared/domain", "shared/metrics.ts"],
  "infra/app.ts": ["infra/stack"],
  "infra/local": ["infra/local", "shared"],
  // The dashboard is a browser app of its own: it talks to the API over HTTP, never imports it.
  dashboard: ["dashboard"],
};

/** External package (prefix) → the layers that may import it. Unlisted packages are free. */
const EXTERNAL: Record<string, readonly string[]> = {
  "@aws-sdk/": ["shared/adapters/aws", "lambdas/wiring.ts", "infra/local"],
  "@smithy/": ["shared/adapters/aws", "infra/local"],
  "aws-cdk-lib": ["infra/stack", "infra/app.ts"],
  constructs: ["infra/stack"],
  "cdk-nag": ["infra/stack"],
  "@middy/": ["lambdas/middleware.ts"],
  "@aws-lambda-powertools/": ["lambdas"],
  "aws-lambda": ["lambdas", "infra/local"],
  "@marcbachmann/cel-js": ["shared/expressions"],
  react: ["dashboard"],
  "react-dom": ["dashboard"],
  "react-router": ["dashboard"],
  "@mantine/": ["dashboard"],
  "@tanstack/": ["dashboard"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Static, re-export and dynamic import specifiers of a file. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*"([^"]+)"/g,
    /\bimport\s*\(\s*"([^"]+)"\s*\)/g,
    /\bimport\s+"([^"]+)"/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) if (m[1]) found.push(m[1]);
  return found;
}

function layerOf<T>(path: string, table: Record<string, T>): string | undefined {
  return Object.keys(table)
    .filter((layer) => path === layer || path.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

function allowedBy(path: string, layers: readonly string[]): boolean {
  return layers.some((layer) => path === layer || path.startsWith(`${layer}/`));
}

function violations(): string[] {
  const found: string[] = [];
  const files = ["shared", "lambdas", "infra", "dashboard/src"].flatMap(sourceFiles);
  for (const file of files) {
    const source = readFileSync(join(ROOT, file), "utf8");
    const layer = layerOf(file, INTERNAL);
    if (!layer) {
      found.push(`${file}: belongs to no layer (add it to the table)`);
      continue;
    }
    for (const spec of importsOf(source)) {
      if (spec.startsWith(".")) {
        const target = normalize(join(dirname(file), spec)).replace(/\.js$/, ".ts");
        const rel = relative(ROOT, join(ROOT, target));
        if (!allowedBy(rel, INTERNAL[layer] ?? [])) found.push(`${file} imports ${rel}: ${layer} may not`);
        continue;
      }
      const pkg = Object.keys(EXTERNAL).find((p) => spec === p || spec.startsWith(p));
      if (pkg && !allowedBy(file, EXTERNAL[pkg] ?? []))
        found.push(`${file} imports ${spec}: only ${EXTERNAL[pkg]?.join(", ")} may`);
    }
  }
  return found;
}

describe("layering", () => {
  it("keeps every import inside the directions the architecture allows", () => {
    expect(violations()).toEqual([]);
  });

  it("reads static, re-exported and dynamic imports", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type {\n  B,\n} from "../b.js";',
      'export { c } from "./c.js";',
      'const d = await import("./d.js");',
      'import "./e.js";',
    ].join("\n");
    expect(importsOf(source)).toEqual(["./a.js", "../b.js", "./c.js", "./d.js", "./e.js"]);
  });

  it("keeps the dashboard apart from the server, both ways", () => {
    const dashboard = layerOf("dashboard/src/pages/RunsPage.tsx", INTERNAL) ?? "";
    expect(dashboard).toBe("dashboard");
    expect(allowedBy("shared/domain/schemas.ts", INTERNAL[dashboard] ?? [])).toBe(false);
    expect(allowedBy("dashboard/src/api/client.ts", INTERNAL[dashboard] ?? [])).toBe(true);
    for (const server of ["shared/core/x.ts", "lambdas/api.ts", "infra/local/http.ts", "infra/stack/x.ts"]) {
      expect(allowedBy("dashboard/src/api/client.ts", INTERNAL[layerOf(server, INTERNAL) ?? ""] ?? [])).toBe(
        false,
      );
    }
    expect(allowedBy("shared/core/x.ts", EXTERNAL.react ?? [])).toBe(false);
  });

  it("finds a planted violation (core importing an AWS adapter)", () => {
    const layer = layerOf("shared/core/engine/x.ts", INTERNAL) ?? "";
    expect(allowedBy("shared/adapters/aws/DynamoRunStore.ts", INTERNAL[layer] ?? [])).toBe(false);
    expect(allowedBy("shared/domain/schemas.ts", INTERNAL[layer] ?? [])).toBe(true);
  });
});
