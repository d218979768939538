/** A run page's header card and its AWS cost breakdown. */
import { Anchor, Card, Code, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import type { AwsCost, RunDetail } from "../api/queries";
import { durationBetween, formatDateTime, formatDuration, formatTime, formatUsd } from "../lib/format";
import { CostBadge } from "./CostBadge";
import { Field } from "./Field";
import { StatusBadge } from "./StatusBadge";

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

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

export function CostBreakdown({ cost }: { cost: AwsCost | null }) {
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

export function RunHeader({ run }: { run: RunDetail }) {
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
