/**
 * moto's Kinesis numbers records without a lock: concurrent PutRecords calls overwrite each
 * other's records, which are then lost although `FailedRecordCount` is 0 (4 threads × 500
 * records × 3 rounds kept 5,981 of 6,000, measured against the pinned moto). Against an emulator
 * (an endpoint variable is set), this process therefore sends its puts one at a time. AWS needs
 * no such thing and gets none.
 */
import type { InitializeHandlerOptions, MetadataBearer, MiddlewareStack } from "@smithy/types";

const PUTS = new Set(["PutRecordsCommand", "PutRecordCommand"]);

const options: InitializeHandlerOptions = { step: "initialize", name: "tidelineSerialPuts", override: true };

/** Puts of every client given here share one queue: the process has one emulator. */
let tail: Promise<unknown> = Promise.resolve();

export function serialPutsOnEmulator<
  I extends object,
  O extends MetadataBearer,
  C extends { middlewareStack: MiddlewareStack<I, O> },
>(client: C, env: NodeJS.ProcessEnv): C {
  if (!(env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL)) return client;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!PUTS.has(String(context.commandName ?? ""))) return next(args);
      const run = tail.then(() => next(args));
      tail = run.catch(() => undefined);
      return run;
    },
    options,
  );
  return client;
}
