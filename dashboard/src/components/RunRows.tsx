import { Anchor, Card, Group, Stack, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import type { RunNode } from "../api/queries";
import { durationBetween, formatDuration, formatTime } from "../lib/format";
import { CostBadge } from "./CostBadge";
import { StatusBadge } from "./StatusBadge";

/** A run as a card, for narrow screens. */
function RunCard({ run }: { run: RunNode }) {
  return (
    <Card withBorder padding="sm" data-testid="run-row" data-run-id={run.id} component="li">
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" fw={600} truncate>
          {run.function.name}
        </Text>
        <StatusBadge status={run.status} />
      </Group>
      <Anchor
        component={Link}
        to={`/runs/${run.id}`}
        ff="monospace"
        size="sm"
        style={{ wordBreak: "break-all" }}
      >
        {run.id}
      </Anchor>
      <Text size="xs" c="dimmed">
        {run.eventName ? `${run.eventName} · ` : ""}queued {formatTime(run.queuedAt)} ·{" "}
        {formatDuration(durationBetween(run.startedAt, run.endedAt))} ·{" "}
        <CostBadge usd={run.awsCost?.usd} size="xs" />
      </Text>
    </Card>
  );
}

/** The runs as a list of cards, for narrow screens (the same test id as the table). */
export function RunCards({ runs }: { runs: RunNode[] }) {
  return (
    <Stack gap="xs" component="ul" data-testid="runs-table" p={0} m={0} style={{ listStyle: "none" }}>
      {runs.map((run) => (
        <RunCard key={run.id} run={run} />
      ))}
    </Stack>
  );
}

export function RunsTable({ runs }: { runs: RunNode[] }) {
  return (
    <Table.ScrollContainer minWidth={880} type="native">
      <Table
        data-testid="runs-table"
        striped
        highlightOnHover
        verticalSpacing="xs"
        style={{ whiteSpace: "nowrap" }}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Status</Table.Th>
            <Table.Th>Function</Table.Th>
            <Table.Th>Run ID</Table.Th>
            <Table.Th>Queued</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Ended</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th ta="right">AWS cost</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function RunRow({ run }: { run: RunNode }) {
  return (
    <Table.Tr data-testid="run-row" data-run-id={run.id}>
      <Table.Td>
        <StatusBadge status={run.status} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={500}>
          {run.function.name}
        </Text>
        {run.eventName ? (
          <Text size="xs" c="dimmed">
            {run.eventName}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Anchor component={Link} to={`/runs/${run.id}`} ff="monospace" size="sm">
          {run.id}
        </Anchor>
      </Table.Td>
      <Table.Td>{formatTime(run.queuedAt)}</Table.Td>
      <Table.Td>{formatTime(run.startedAt)}</Table.Td>
      <Table.Td>{formatTime(run.endedAt)}</Table.Td>
      <Table.Td>{formatDuration(durationBetween(run.startedAt, run.endedAt))}</Table.Td>
      <Table.Td ta="right">
        <CostBadge usd={run.awsCost?.usd} size="sm" />
      </Table.Td>
    </Table.Tr>
  );
}
