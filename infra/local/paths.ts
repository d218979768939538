import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is infra/local/paths.ts). */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Git-ignored home of the emulators and their logs (see scripts/emulators/install.mjs). */
export const tidelineHome = join(projectRoot, ".tideline");
