import { Alert, Anchor, Button, Code, Group, Loader, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { gql } from "../api/client";
import { OUTPUT_QUERY, type Span, type SpanOutput } from "../api/queries";
import { formatClock, formatDuration, ms } from "../lib/format";
import { ErrorState } from "./ErrorState";
import { Field, Qualifier } from "./Field";
import { JsonView } from "./JsonView";

/** How long the span took, or has taken so far while it lasts. */
export function spanDuration(span: Span, now: number): number | null {
  if (span.duration !== null && span.endedAt) return span.duration;
  const start = ms(span.startedAt) ?? ms(span.queuedAt);
  if (start === null) return null;
  return (ms(span.endedAt) ?? now) - start;
}

/** Rerun from a step: offered on completed steps. */
export interface RerunControl {
  onRerun(stepID: string): void;
  /** The step a rerun is being started from. */
  pendingStepID: string | null;
  /** The step the last rerun failed to start from, and why. */
  failed: { stepID: string; message: string } | null;
}

/** The span's output or error, fetched by its output id. */
export function SpanOutputView({
  outputID,
  status,
  label = "Output",
}: {
  outputID: string;
  status: string;
  /** The caption over the output; null for none. */
  label?: string | null;
}) {
  const output = useQuery({
    // The status is part of the key: a step's output changes when it ends.
    queryKey: ["output", outputID, status],
    queryFn: () => gql<{ runTraceSpanOutputByID: SpanOutput }>(OUTPUT_QUERY, { outputID }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (output.isPending) return <Loader size="sm" role="status" aria-label="Loading output" />;
  if (output.isError) return <ErrorState error={output.error} onRetry={() => void output.refetch()} />;
  const { data, error } = output.data.runTraceSpanOutputByID;
  return (
    <Stack gap="xs">
      {error ? (
        <Alert color="red" title={`${error.name ?? "Error"}: ${error.message}`} data-testid="span-error">
          {error.stack ? (
            <Code block fz="xs" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
              {error.stack}
            </Code>
          ) : null}
          {error.cause !== null && error.cause !== undefined ? (
            <Text size="xs" mt="xs" component="div">
              Cause: <JsonView value={error.cause} />
            </Text>
          ) : null}
        </Alert>
      ) : null}
      {data !== null && data !== undefined ? (
        <div data-testid="span-output">
          {label ? (
            <Text size="xs" c="dimmed" mb={4}>
              {label}
            </Text>
          ) : null}
          <JsonView value={data} maxHeight={320} />
        </div>
      ) : null}
      {!error && (data === null || data === undefined) ? (
        <Text size="sm" c="dimmed">
          No output.
        </Text>
      ) : null}
    </Stack>
  );
}

function StepInfoFields({ span }: { span: Span }) {
  const info = span.stepInfo;
  if (!info) return null;
  switch (info.__typename) {
    case "SleepStepInfo":
      return <Field label="Sleeps until">{formatClock(info.sleepUntil)}</Field>;
    case "WaitForEventStepInfo":
      return (
        <>
          <Field label="Waits for event">
            <Code>{info.eventName}</Code>
            <Qualifier word="if" code={info.expression} />
          </Field>
          <Field label="Timeout">{formatClock(info.timeout)}</Field>
          <Field label="Outcome">
            {info.foundEventID ? (
              <Anchor component={Link} to={`/events/${info.foundEventID}`}>
                event {info.foundEventID}
              </Anchor>
            ) : info.timedOut ? (
              "timed out"
            ) : (
              "waiting"
            )}
          </Field>
        </>
      );
    case "WaitForSignalStepInfo":
      return (
        <>
          <Field label="Waits for signal">
            <Code>{info.signal}</Code>
          </Field>
          <Field label="Timeout">{formatClock(info.timeout)}</Field>
          {info.timedOut ? <Field label="Outcome">timed out</Field> : null}
        </>
      );
    case "InvokeStepInfo":
      return (
        <>
          <Field label="Invokes">
            <Code>{info.functionID || "—"}</Code>
          </Field>
          <Field label="Invoked run">
            {info.runID ? (
              <Anchor component={Link} to={`/runs/${info.runID}`}>
                {info.runID}
              </Anchor>
            ) : (
              "—"
            )}
          </Field>
          <Field label="Timeout">{formatClock(info.timeout)}</Field>
        </>
      );
    default:
      return null;
  }
}

/** Metadata recorded on a span (step.metadata, the metadata API). */
export function MetadataList({ metadata }: { metadata: Span["metadata"] }) {
  if (metadata.length === 0) return null;
  return (
    <Stack gap="xs" data-testid="span-metadata">
      <Text size="xs" c="dimmed">
        Metadata
      </Text>
      {metadata.map((m) => (
        <div key={`${m.scope}:${m.kind}:${m.updatedAt}`}>
          <Text size="sm">
            <Code>{m.kind}</Code>{" "}
            <Text span size="xs" c="dimmed">
              {m.scope} · {formatClock(m.updatedAt)}
            </Text>
          </Text>
          <JsonView value={m.values} maxHeight={200} aria-label={`Metadata ${m.kind}`} />
        </div>
      ))}
    </Stack>
  );
}

function RerunFromStep({ stepID, rerun }: { stepID: string; rerun: RerunControl }) {
  return (
    <Group>
      <Button
        size="xs"
        variant="light"
        loading={rerun.pendingStepID === stepID}
        onClick={() => rerun.onRerun(stepID)}
      >
        Rerun from this step
      </Button>
      {rerun.failed?.stepID === stepID ? (
        <Text size="sm" c="red" role="alert">
          Could not start a new run: {rerun.failed.message}
        </Text>
      ) : null}
    </Group>
  );
}

interface SpanDetailsProps {
  span: Span;
  rerun?: RerunControl | undefined;
}

/** What a timeline row shows when expanded. */
export function SpanDetails({ span, rerun }: SpanDetailsProps) {
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" verticalSpacing="xs">
        <Field label="Queued">{formatClock(span.queuedAt)}</Field>
        <Field label="Started">{formatClock(span.startedAt)}</Field>
        <Field label="Ended">{formatClock(span.endedAt)}</Field>
        <Field label="Duration">{formatDuration(spanDuration(span, Date.now()))}</Field>
        <StepInfoFields span={span} />
        {span.stepID ? (
          <Field label="Step ID">
            <Code fz="xs" title={span.stepID}>
              {span.stepID.slice(0, 16)}
              {span.stepID.length > 16 ? "…" : ""}
            </Code>
          </Field>
        ) : null}
      </SimpleGrid>
      {span.outputID ? (
        <SpanOutputView outputID={span.outputID} status={span.status} />
      ) : (
        <Text size="sm" c="dimmed">
          {span.endedAt ? "No output." : "No output yet."}
        </Text>
      )}
      <MetadataList metadata={span.metadata} />
      {rerun && span.stepID && span.status === "COMPLETED" ? (
        <RerunFromStep stepID={span.stepID} rerun={rerun} />
      ) : null}
    </Stack>
  );
}
