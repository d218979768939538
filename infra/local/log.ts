/** The local runtime's console output: one prefix, one line per message. */
export interface Logger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export function consoleLogger(prefix = "tideline"): Logger {
  return {
    info: (message) => console.log(`[${prefix}] ${message}`),
    warn: (message, error) =>
      console.warn(`[${prefix}] ${message}${error === undefined ? "" : `\n${describe(error)}`}`),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {} };
