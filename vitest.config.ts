import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/setup/summaryReporter.ts"],
    // Forks: each file gets its own process, so handler modules and process.env never leak between files.
    pool: "forks",
    // Three files at once on two cores: the integration and e2e files mostly wait (on the
    // emulators, the SDK apps, child processes), so this cuts the suite from ~95 s to ~65 s here.
    maxWorkers: 3,
    testTimeout: 60_000,
    // The SDK warns on Node 20 in every worker; the machines run 20 on purpose (STYLE.md).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 120_000,
    projects: [
      {
        // Pure logic and the memory ports: no emulator is started (`npm run test:unit`).
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"] },
      },
      {
        // Against moto and DynamoDB Local, started once per run for this project only.
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
          exclude: ["test/e2e/**/*.timed.test.ts"],
          globalSetup: ["test/setup/emulators.ts"],
          // process.env set in globalSetup reaches forks today; provide/inject keeps that true for any pool.
          setupFiles: ["test/setup/awsEnv.ts"],
        },
      },
      {
        // End-to-end tests that assert wall-clock times (a fan-out of 1 s steps under 3 s): they run
        // after the other projects, alone, so the rest of the suite does not load the machine. Their
        // `tideline dev` starts its own emulators then (or uses AWS_ENDPOINT_URL's), rather than a
        // second pair kept up from the start of the run.
        extends: true,
        test: {
          name: "timed",
          include: ["test/e2e/**/*.timed.test.ts"],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
