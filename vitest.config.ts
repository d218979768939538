import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/setup/summaryReporter.ts"],
    globalSetup: ["test/setup/emulators.ts"],
    // process.env set in globalSetup reaches forks today; provide/inject keeps that true for any pool.
    setupFiles: ["test/setup/awsEnv.ts"],
    // Forks: each file gets its own process, so handler modules and process.env never leak between files.
    pool: "forks",
    testTimeout: 60_000,
    // The SDK warns on Node 20 in every worker; the machines run 20 on purpose (STYLE.md).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 120_000,
  },
});
