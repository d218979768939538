import { Alert, Anchor, Button, Code, Group, Modal, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { describeError, gql } from "../api/client";
import {
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
import { EmptyState } from "../components/EmptyState";
import { JsonView } from "../components/JsonView";
import { IdHeading, Page } from "../components/Page";
import { QueryStatus, untilApiError } from "../components/QueryStatus";
import { CostBreakdown, RunHeader } from "../components/RunSummary";
import { Section } from "../components/Section";
import { MetadataList, SpanOutputView } from "../components/SpanDetails";
import { Timeline } from "../components/Timeline";
import { ms } from "../lib/format";

const POLL_MS = 2000;
/** A run id with no run yet is polled this many times (a minute), for a run just started. */
const NOT_FOUND_POLLS = 30;
/** An ended run is polled this long after its end: its last job's AWS cost is recorded after the job. */
const SETTLE_MS = 10_000;
const isEnded = (status: string | undefined) => status !== undefined && ENDED_STATUSES.includes(status);

function useRunActions(runId: string) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // The variables say what a rerun starts from: null (Replay) or a step id.
  const rerun = useMutation({
    mutationFn: (stepID: string | null) =>
      gql<{ rerun: string }>(RERUN, { runID: runId, ...(stepID ? { fromStep: { stepID } } : {}) }),
    onSuccess: (data) => {
      void queryClient.invalidateQueries({ queryKey: ["runs", "list"] });
      navigate(`/runs/${data.rerun}`);
    },
  });
  const cancel = useMutation({
    mutationFn: () => gql<{ cancelRun: { id: string; status: string } }>(CANCEL_RUN, { runID: runId }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ["run", runId] });
      void queryClient.invalidateQueries({ queryKey: ["trace", runId] });
    },
  });
  /** The step a rerun is being started from; null for a replay, or when none is starting. */
  const fromStep = rerun.isPending ? rerun.variables : null;
  return { rerun, cancel, fromStep };
}

/** A failed action's message, until dismissed. */
function ActionError({ title, error, onDismiss }: { title: string; error: unknown; onDismiss(): void }) {
  return (
    <Alert color="red" title={title} withCloseButton closeButtonLabel="Dismiss" onClose={onDismiss}>
      {describeError(error)}
    </Alert>
  );
}

export default function RunPage() {
  const { runId = "" } = useParams();
  const [confirmOpen, confirm] = useDisclosure(false);
  const { rerun, cancel, fromStep } = useRunActions(runId);

  const runQuery = useQuery({
    queryKey: ["run", runId],
    queryFn: () => gql<{ run: RunDetail | null }>(RUN_QUERY, { runID: runId }),
    // Polled until the run has ended (and its cost settled), or for a minute for an id with no
    // run (one just started), or until the API answers with an error.
    refetchInterval: untilApiError((q) => {
      const found = q.state.data?.run;
      if (found && isEnded(found.status)) {
        return Date.now() - (ms(found.endedAt) ?? 0) < SETTLE_MS ? POLL_MS : false;
      }
      return found === null && q.state.dataUpdateCount >= NOT_FOUND_POLLS ? false : POLL_MS;
    }),
  });
  const run = runQuery.data?.run ?? null;

  const traceQuery = useQuery({
    queryKey: ["trace", runId],
    queryFn: () => gql<{ runTrace: Span }>(TRACE_QUERY, { runID: runId }),
    enabled: run !== null,
    refetchInterval: untilApiError((q) => (isEnded(q.state.data?.runTrace.status) ? false : POLL_MS)),
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
      heading={<IdHeading prefix="Run" id={runId} />}
      actions={actions}
      subtitle={
        run ? (
          <Text c="dimmed" size="sm">
            {run.function.name} · {run.app.name}
          </Text>
        ) : null
      }
    >
      <QueryStatus query={runQuery} label="Loading run" />
      {runQuery.isSuccess && run === null ? (
        <EmptyState title="Run not found">
          No run has this id (yet). It may have expired, or the id is mistyped. See{" "}
          <Anchor component={Link} to="/runs">
            all runs
          </Anchor>
          .
        </EmptyState>
      ) : null}
      {/* A rerun from a step says why it failed in that step's row. */}
      {rerun.isError && rerun.variables === null ? (
        <ActionError title="Could not start a new run" error={rerun.error} onDismiss={rerun.reset} />
      ) : null}
      {cancel.isError ? (
        <ActionError title="Could not cancel the run" error={cancel.error} onDismiss={cancel.reset} />
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
            <QueryStatus query={traceQuery} label="Loading timeline" />
            {root ? (
              <Timeline
                root={root}
                rerun={{
                  onRerun: (stepID) => rerun.mutate(stepID),
                  pendingStepID: fromStep,
                  failed:
                    rerun.isError && rerun.variables
                      ? { stepID: rerun.variables, message: describeError(rerun.error) }
                      : null,
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
            <QueryStatus query={triggerQuery} label="Loading trigger" />
            {triggerQuery.data?.runTrigger.payloads.length === 0 ? (
              <Text size="sm" c="dimmed">
                {run.cronSchedule ? `Started by the schedule ${run.cronSchedule}.` : "No payload."}
              </Text>
            ) : null}
            {triggerQuery.data?.runTrigger.payloads.map((payload, i, all) => (
              <JsonView
                // biome-ignore lint/suspicious/noArrayIndexKey: payloads have no ids of their own here
                key={i}
                value={payload}
                maxHeight={240}
                aria-label={all.length > 1 ? `Trigger payload ${i + 1}` : "Trigger payload"}
              />
            ))}
          </Section>
        </Stack>
      ) : null}
      <Modal
        opened={confirmOpen}
        onClose={confirm.close}
        title="Cancel this run?"
        closeButtonProps={{ "aria-label": "Close" }}
      >
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
