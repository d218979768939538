/**
 * Benchmark: what each Lambda ships and what its cold start costs before the first request.
 *
 *   npm run bench:bundles            # 5 cold imports per bundle
 *   RUNS=9 npm run bench:bundles
 *
 * Every handler under lambdas/ is bundled with esbuild using the stack's own options
 * (TidelineFunction.ts `BUNDLING`, translated the way CDK's NodejsFunction passes them to esbuild),
 * then imported by a fresh `node` per run with the environment a deployed function gets (resource
 * addresses, cloud mode, the Lambda variables; a plain signing key, so no secret is fetched). The
 * import time is the module's whole init: loading and evaluating the bundle and building its deps.
 * Node here may differ from Lambda's Node 22, and the machine from Lambda's arm64: compare bundles
 * with each other, not with Lambda's reported Init Duration.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type { BundlingOptions } from "aws-cdk-lib/aws-lambda-nodejs";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { BUNDLING } from "../../infra/stack/constructs/TidelineFunction.js";
import { FUNCTIONS, resourceEnvNames } from "../../shared/resources.js";
import { percentile } from "./stats.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);

/** CDK's esbuild arguments for `bundling` (aws-lambda-nodejs `Bundling.buildEsbuildArgs`). */
function esbuildOptions(bundling: BundlingOptions, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    ...(bundling.target ? { target: bundling.target } : {}),
    ...(bundling.format ? { format: bundling.format } : {}),
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    // bundleAwsSDK: nothing is external unless the stack names it.
    external: [...(bundling.externalModules ?? (bundling.bundleAwsSDK ? [] : ["@aws-sdk/*"]))],
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    ...(bundling.define ? { define: bundling.define } : {}),
    ...(bundling.keepNames ? { keepNames: true } : {}),
    metafile: true,
    logLevel: "error",
  };
}

/** The AWS SDK clients a bundle contains (from esbuild's metafile). */
function awsClientsIn(meta: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /node_modules\/@aws-sdk\/client-([a-z0-9-]+)\//.exec(input);
    if (m?.[1]) names.add(m[1]);
  }
  return [...names].sort();
}

/** The environment a deployed function has at init (TidelineFunction.ts and bind.ts set these). */
function lambdaEnv(fnName: string): NodeJS.ProcessEnv {
  const resources = Object.fromEntries(
    resourceEnvNames().map((name) => [
      name,
      name.endsWith("_ARN")
        ? `arn:aws:sqs:us-east-1:123456789012:bench-${name.toLowerCase()}`
        : `bench-${name.toLowerCase()}`,
    ]),
  );
  return {
    PATH: process.env.PATH,
    ...resources,
    TIDELINE_MODE: "cloud",
    TIDELINE_SIGNING_KEY: `signkey-prod-${"ab".repeat(32)}`,
    // The event API reads its keys from SSM: its provider (and SDK client) is built at init.
    TIDELINE_EVENT_KEY_HASHES_PARAM: "/tideline/Bench/event-key-hashes",
    NODE_OPTIONS: "--enable-source-maps",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_LAMBDA_FUNCTION_NAME: fnName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    POWERTOOLS_SERVICE_NAME: "Tideline",
    POWERTOOLS_METRICS_NAMESPACE: "Tideline",
  };
}

/** Milliseconds a fresh node takes to import the bundle (its whole module init). */
function coldImportMs(file: string, env: NodeJS.ProcessEnv): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr}`);
  return Number(child.stdout);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "tideline-bundles-"));
  try {
    console.log(
      `Bundles (TidelineFunction BUNDLING), init = median of ${RUNS} cold imports, node ${process.version}\n`,
    );
    console.log(
      [
        "function".padEnd(10),
        "raw".padStart(8),
        "gzip".padStart(8),
        "init ms".padStart(8),
        "  AWS clients",
      ].join(" "),
    );
    for (const spec of Object.values(FUNCTIONS)) {
      const outfile = join(out, spec.entry, "index.mjs");
      const result = await build(
        esbuildOptions(BUNDLING, join(ROOT, "lambdas", `${spec.entry}.ts`), outfile),
      );
      const code = readFileSync(outfile);
      const env = lambdaEnv(spec.id);
      const times = Array.from({ length: RUNS }, () => coldImportMs(outfile, env)).sort((a, b) => a - b);
      const init = percentile(times, 50);
      const clients = result.metafile ? awsClientsIn(result.metafile) : [];
      console.log(
        [
          spec.entry.padEnd(10),
          kb(code.length).padStart(8),
          kb(gzipSync(code).length).padStart(8),
          init.toFixed(0).padStart(8),
          `  ${clients.join(", ")}`,
        ].join(" "),
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
