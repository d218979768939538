/** Runs in every test worker before its files: points the SDK at the run's emulators. */
import { inject } from "vitest";

for (const [name, value] of Object.entries(inject("awsEnv"))) process.env[name] = value;
