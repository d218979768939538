import {
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { describeError, gql } from "../api/client";
import {
  type AwsCost,
  CANCEL_RUN,
  ENDED_STATUSES,
  RERUN,
  RUN_QUERY,
  type RunDetail,
  type RunTrigger,
  type Span,
  TRACE_QUERY,
  TRIGGER_QUERY,
} from "../api/queries";
import { CostBadge } from "../components/CostBadge";
import { EmptyState } from "../components/EmptyState";
import { ErrorState } from "../components/ErrorState";
import { Field } from "../components/Field";
import { JsonView } from "../components/JsonView";
import { Loading } from "../components/Loading";
import { Page } from "../components/Page";
import { MetadataList, SpanOutputView } from "../components/SpanDetails";
import { StatusBadge } from "../components/StatusBadge";
import { Timeline } from "../components/Timeline";
import { durationBetween, formatDateTime, formatDuration, formatTime, formatUsd } from "../lib/format";

const POLL_MS = 2000;
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const isEnded = (status: string | undefined) => status !== undefined && ENDED_STATUSES.includes(status);

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap="xs" component="section" data-testid={testId}>
      <Title order={2} fz="h4">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function TriggerField({ run }: { run: RunDetail }) {
  if (run.cronSchedule) return <Code>cron {run.cronSchedule}</Code>;
  const eventId = run.triggerIDs[0];
  if (!eventId) return <>—</>;
  return (
    <Anchor component={Link} to={`/events/${eventId}`} data-testid="trigger-event-link">
      {run.eventName ?? "event"}
      {run.isBatch ? " (batch)" : ""}
    </Anchor>
  );
}

function CostBreakdown({ cost }: { cost: AwsCost | null }) {
  if (!cost) {
    return (
      <Text size="sm" c="dimmed">
        No AWS cost was recorded for this run.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Text size="sm">
        {formatUsd(cost.usd)} in total · {plural(cost.calls, "AWS call")} · {plural(cost.jobs, "job")} ·{" "}
        {formatDuration(cost.lambdaMs)} of Lambda time
      </Text>
      {cost.services.length > 0 ? (
        <Table data-testid="cost-breakdown" withTableBorder verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Service</Table.Th>
              <Table.Th>Usage</Table.Th>
              <Table.Th ta="right">USD</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {cost.services.map((s) => (
              <Table.Tr key={s.service}>
                <Table.Td>{s.service}</Table.Td>
                <Table.Td>{s.detail}</Table.Td>
                <Table.Td ta="right">
                  <CostBadge usd={s.usd} size="sm" />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Stack>
  );
}

function RunHeader({ run }: { run: RunDetail }) {
  return (
    <Card withBorder padding="md">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" verticalSpacing="sm">
        <Field label="Status">
          <StatusBadge status={run.status} data-testid="run-status" />
        </Field>
        <Field label="Function">
          <Anchor component={Link} to={`/runs?function=${encodeURIComponent(run.function.id)}`}>
            {run.function.name}
          </Anchor>
        </Field>
        <Field label="App">
          <Anchor component={Link} to="/apps">
            {run.app.name}
          </Anchor>
        </Field>
        <Field label="Trigger">
          <TriggerField run={run} />
        </Field>
        <Field label="AWS cost">
          <span data-testid="run-cost">
            <CostBadge usd={run.awsCost?.usd} size="sm" />
          </span>
        </Field>
        <Field label="Queued">{formatDateTime(run.queuedAt)}</Field>
        <Field label="Started">{formatTime(run.startedAt)}</Field>
        <Field label="Ended">{formatTime(run.endedAt)}</Field>
        <Field label="Duration">{formatDuration(durationBetween(run.startedAt, run.endedAt))}</Field>
      </SimpleGrid>
    </Card>
  );
}

function useRunActions(runId: string) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [fromStep, setFromStep] = useState<string | null>(null);
  const rerun = useMutation({
    mutationFn: (stepID: string | null) =>
      gql<{ rerun: string }>(RERUN, { runID: runId, ...(stepID ? { fromStep: { stepID } } : {}) }),
    onMutate: (stepID) => setFromStep(stepID),
    onSuccess: (data) => {
      void queryClient.invalidateQueries({ queryKey: ["runs", "list"] });
      navigate(`/runs/${data.rerun}`);
    },
    onSettled: () => setFromStep(null),
  });
  const cancel = useMutation({
    mutationFn: () => gql<{ cancelRun: { id: string; status: string } }>(CANCEL_RUN, { runID: runId }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ["run", runId] });
      void queryClient.invalidateQueries({ queryKey: ["trace", runId] });
    },
  });
  return { rerun, cancel, fromStep };
}

export default function RunPage() {
  const { runId = "" } = useParams();
  const [confirmOpen, confirm] = useDisclosure(false);
  const { rerun, cancel, fromStep } = useRunActions(runId);

  const runQuery = useQuery({
    queryKey: ["run", runId],
    queryFn: () => gql<{ run: RunDetail | null }>(RUN_QUERY, { runID: runId }),
    // Polled until the run ends (or appears, for a run just started).
    refetchInterval: (q) => (isEnded(q.state.data?.run?.status) ? false : POLL_MS),
  });
  const run = runQuery.data?.run ?? null;

  const traceQuery = useQuery({
    queryKey: ["trace", runId],
    queryFn: () => gql<{ runTrace: Span }>(TRACE_QUERY, { runID: runId }),
    enabled: run !== null,
    refetchInterval: (q) => (isEnded(q.state.data?.runTrace.status) ? false : POLL_MS),
  });
  const root = traceQuery.data?.runTrace;

  const triggerQuery = useQuery({
    queryKey: ["trigger", runId],
    queryFn: () => gql<{ runTrigger: RunTrigger }>(TRIGGER_QUERY, { runID: runId }),
    enabled: run !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });

  const running = run !== null && !isEnded(run.status);
  const actions = run ? (
    <>
      <Button
        variant="default"
        size="xs"
        onClick={() => rerun.mutate(null)}
        loading={rerun.isPending && fromStep === null}
      >
        Replay
      </Button>
      {running ? (
        <Button color="red" variant="light" size="xs" onClick={confirm.open}>
          Cancel run
        </Button>
      ) : null}
    </>
  ) : null;

  return (
    <Page
      title={`Run ${runId}`}
      actions={actions}
      subtitle={
        run ? (
          <Text c="dimmed" size="sm">
            {run.function.name} · {run.app.name}
          </Text>
        ) : null
      }
    >
      {runQuery.isPending ? <Loading label="Loading run" /> : null}
      {runQuery.isError ? (
        <ErrorState error={runQuery.error} onRetry={() => void runQuery.refetch()} />
      ) : null}
      {runQuery.isSuccess && run === null ? (
        <EmptyState title="Run not found">
          No run has this id (yet). It may have expired, or the id is mistyped. See{" "}
          <Anchor component={Link} to="/runs">
            all runs
          </Anchor>
          .
        </EmptyState>
      ) : null}
      {rerun.isError ? (
        <Alert color="red" title="Could not start a new run" withCloseButton onClose={() => rerun.reset()}>
          {describeError(rerun.error)}
        </Alert>
      ) : null}
      {cancel.isError ? (
        <Alert color="red" title="Could not cancel the run" withCloseButton onClose={() => cancel.reset()}>
          {describeError(cancel.error)}
        </Alert>
      ) : null}
      {run ? (
        <Stack gap="lg">
          <RunHeader run={run} />
          {root?.outputID && isEnded(root.status) ? (
            <Section title={run.status === "FAILED" ? "Error" : "Output"} testId="run-output">
              <SpanOutputView outputID={root.outputID} status={root.status} label={null} />
            </Section>
          ) : null}
          <Section title="Timeline" testId="timeline">
            {traceQuery.isPending ? <Loading label="Loading timeline" /> : null}
            {traceQuery.isError ? (
              <ErrorState error={traceQuery.error} onRetry={() => void traceQuery.refetch()} />
            ) : null}
            {root ? (
              <Timeline
                root={root}
                rerun={{
                  onRerun: (stepID) => rerun.mutate(stepID),
                  pendingStepID: rerun.isPending ? fromStep : null,
                }}
              />
            ) : null}
          </Section>
          <Section title="AWS cost" testId="run-cost-breakdown">
            <CostBreakdown cost={run.awsCost} />
          </Section>
          {root && root.metadata.length > 0 ? (
            <Section title="Metadata">
              <MetadataList metadata={root.metadata} />
            </Section>
          ) : null}
          <Section title="Trigger" testId="run-trigger">
            {triggerQuery.isError ? <ErrorState error={triggerQuery.error} /> : null}
            {triggerQuery.data ? (
              triggerQuery.data.runTrigger.payloads.map((payload, i) => (
                <JsonView
                  // biome-ignore lint/suspicious/noArrayIndexKey: payloads have no ids of their own here
                  key={i}
                  value={payload}
                  maxHeight={240}
                  aria-label="Trigger payload"
                />
              ))
            ) : triggerQuery.isPending ? (
              <Loading label="Loading trigger" />
            ) : null}
          </Section>
        </Stack>
      ) : null}
      <Modal opened={confirmOpen} onClose={confirm.close} title="Cancel this run?">
        <Stack>
          <Text size="sm">
            The run stops: a step already executing finishes, but nothing after it runs, and{" "}
            <Code>inngest/function.cancelled</Code> is sent.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={confirm.close}>
              Keep running
            </Button>
            <Button
              color="red"
              loading={cancel.isPending}
              onClick={() => cancel.mutate(undefined, { onSettled: () => confirm.close() })}
            >
              Confirm cancellation
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}
