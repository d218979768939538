/**
 * Process-wide notices that this process just sent something a local event-source mapping reads:
 * an SQS SendMessage/SendMessageBatch to a queue, or a Kinesis PutRecord/PutRecords to a stream.
 * `tideline dev` runs the handlers and the emulated mappings in one process, so its pollers listen
 * and read at once instead of waiting out their idle pause; the message itself still travels
 * through the emulator. With no listener (a Lambda on AWS) the middleware only checks an empty set.
 */
import type {
  InitializeHandlerOptions,
  InitializeMiddleware,
  MetadataBearer,
  MiddlewareStack,
} from "@smithy/types";

export type SentNotice = { service: "SQS"; queueUrl: string } | { service: "Kinesis"; streamName: string };

export type SentListener = (notice: SentNotice) => void;

const listeners = new Set<SentListener>();

/** Calls `listener` after each successful send in this process; returns the unsubscribe. */
export function onSent(listener: SentListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** How many listeners are registered (tests check that pollers unsubscribe when they stop). */
export function sentListenerCount(): number {
  return listeners.size;
}

/**
 * Whether two queue URLs name the same queue: the last two path segments (account and name) are
 * compared, so `localhost` and `127.0.0.1`, or moto's and LocalStack's URL styles, still match.
 */
export function sameQueue(a: string, b: string): boolean {
  return queueKey(a) === queueKey(b);
}

function queueKey(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a URL: compare what was given.
  }
  return path.split("/").filter(Boolean).slice(-2).join("/");
}

/** A stream's name from its name or ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export function streamNameOf(input: { StreamName?: string; StreamARN?: string }): string | undefined {
  if (input.StreamName) return input.StreamName;
  const arn = input.StreamARN;
  if (!arn) return undefined;
  const i = arn.indexOf(":stream/");
  return i >= 0 ? arn.slice(i + ":stream/".length) : undefined;
}

type Loose = Record<string, unknown>;
const visibleNow = (delay: unknown) => delay === undefined || delay === null || Number(delay) === 0;

/**
 * What a successful call made readable now, if anything: an SQS send of which at least one message
 * succeeded without a delay (a delayed message is found by the next idle poll when it is due), or
 * a Kinesis put of which at least one record succeeded.
 */
export function noticeOf(commandName: string, input: Loose, output: Loose): SentNotice | undefined {
  switch (commandName) {
    case "SendMessageCommand": {
      const url = input.QueueUrl;
      return typeof url === "string" && visibleNow(input.DelaySeconds)
        ? { service: "SQS", queueUrl: url }
        : undefined;
    }
    case "SendMessageBatchCommand": {
      const url = input.QueueUrl;
      if (typeof url !== "string") return undefined;
      const ok = new Set(((output.Successful ?? []) as Loose[]).map((s) => s.Id));
      const entries = (input.Entries ?? []) as Loose[];
      return entries.some((e) => ok.has(e.Id) && visibleNow(e.DelaySeconds))
        ? { service: "SQS", queueUrl: url }
        : undefined;
    }
    case "PutRecordCommand": {
      const name = streamNameOf(input as { StreamName?: string; StreamARN?: string });
      return name ? { service: "Kinesis", streamName: name } : undefined;
    }
    case "PutRecordsCommand": {
      const name = streamNameOf(input as { StreamName?: string; StreamARN?: string });
      const sent = ((input.Records ?? []) as unknown[]).length;
      const failed = Number(output.FailedRecordCount ?? 0);
      return name && failed < sent ? { service: "Kinesis", streamName: name } : undefined;
    }
    default:
      return undefined;
  }
}

/** Calls the listeners; a listener that throws never fails the send. */
function notifySent(notice: SentNotice): void {
  for (const listener of listeners) {
    try {
      listener(notice);
    } catch {
      // A listener's failure is its own; the send succeeded.
    }
  }
}

/** The middleware: after a successful send, tells the listeners (nothing to do without any). */
export function sentNotifierMiddleware<I extends object, O extends MetadataBearer>(): InitializeMiddleware<
  I,
  O
> {
  return (next, context) => async (args) => {
    const result = await next(args);
    if (listeners.size === 0) return result;
    const notice = noticeOf(
      String(context.commandName ?? ""),
      args.input as Loose,
      (result.output ?? {}) as unknown as Loose,
    );
    if (notice) notifySent(notice);
    return result;
  };
}

const options: InitializeHandlerOptions = {
  step: "initialize",
  name: "tidelineSentNotifier",
  override: true,
};

/** Adds the notifier to an SQS or Kinesis client; idempotent (a second add replaces the first). */
export function notifyOnSend<
  I extends object,
  O extends MetadataBearer,
  C extends { middlewareStack: MiddlewareStack<I, O> },
>(client: C): C {
  client.middlewareStack.add(sentNotifierMiddleware<I, O>(), options);
  return client;
}
