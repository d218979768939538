import {
  Anchor,
  Button,
  Card,
  Chip,
  Group,
  Input,
  MultiSelect,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { gql } from "../api/client";
import {
  FUNCTION_OPTIONS_QUERY,
  type FunctionOption,
  RUN_STATUSES,
  RUNS_COUNT_QUERY,
  RUNS_QUERY,
  type RunNode,
  type RunsAnswer,
  type RunsCountAnswer,
} from "../api/queries";
import { CostBadge } from "../components/CostBadge";
import { EmptyState } from "../components/EmptyState";
import { ErrorState } from "../components/ErrorState";
import { Loading } from "../components/Loading";
import { Page } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { durationBetween, formatDuration, formatTime } from "../lib/format";

const PAGE_SIZE = 50;
/** The total is a count over the whole window: refreshed every 30 s, the rows every 2 s. */
const COUNT_POLL_MS = 30_000;
const HOUR = 60 * 60 * 1000;
const RANGES: Record<string, { label: string; ms: number }> = {
  "1h": { label: "1 h", ms: HOUR },
  "24h": { label: "24 h", ms: 24 * HOUR },
  "7d": { label: "7 d", ms: 7 * 24 * HOUR },
  "30d": { label: "30 d", ms: 30 * 24 * HOUR },
};
const DEFAULT_RANGE = "24h";

const titleCase = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();

/** A datetime-local value (local time, no zone) as RFC 3339, or null. */
function localToIso(value: string | null): string | null {
  if (!value) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Now minus `ms`, as datetime-local text. */
function localAgo(ms: number): string {
  const d = new Date(Date.now() - ms);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

interface Filters {
  functions: string[];
  statuses: string[];
  range: string;
  from: string | null;
  until: string | null;
}

function readFilters(params: URLSearchParams): Filters {
  const range = params.get("range") ?? DEFAULT_RANGE;
  return {
    functions: params.getAll("function"),
    statuses: params.getAll("status").filter((s) => (RUN_STATUSES as readonly string[]).includes(s)),
    range: range === "custom" || range in RANGES ? range : DEFAULT_RANGE,
    from: params.get("from"),
    until: params.get("until"),
  };
}

/** The `RunsFilterV2` for the filters, with relative ranges measured from now. */
function runsFilter(f: Filters): Record<string, unknown> {
  const preset = RANGES[f.range];
  const from = preset
    ? new Date(Date.now() - preset.ms).toISOString()
    : (localToIso(f.from) ?? new Date(Date.now() - 24 * HOUR).toISOString());
  const until = preset ? null : localToIso(f.until);
  return {
    from,
    ...(until ? { until } : {}),
    ...(f.statuses.length > 0 ? { status: f.statuses } : {}),
    ...(f.functions.length > 0 ? { functionIDs: f.functions } : {}),
  };
}

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

function RunsTable({ runs }: { runs: RunNode[] }) {
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

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const narrow = useMediaQuery("(max-width: 48em)", false, { getInitialValueInEffect: false });

  function update(change: (next: URLSearchParams) => void) {
    const next = new URLSearchParams(params);
    change(next);
    setParams(next, { replace: true });
  }
  const setList = (name: string, values: string[]) =>
    update((next) => {
      next.delete(name);
      for (const v of values) next.append(name, v);
    });

  const options = useQuery({
    queryKey: ["functions", "options"],
    queryFn: () => gql<{ functions: FunctionOption[] | null }>(FUNCTION_OPTIONS_QUERY),
    staleTime: 30_000,
  });
  const functionData = (options.data?.functions ?? []).map((f) => ({
    value: f.id,
    label: `${f.name} (${f.app.name})`,
  }));

  const runs = useInfiniteQuery({
    queryKey: ["runs", "list", filters],
    queryFn: ({ pageParam }) =>
      gql<RunsAnswer>(RUNS_QUERY, { first: PAGE_SIZE, after: pageParam, filter: runsFilter(filters) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) =>
      last.runs.pageInfo.hasNextPage ? (last.runs.pageInfo.endCursor ?? undefined) : undefined,
    refetchInterval: 2000,
  });
  const count = useQuery({
    queryKey: ["runs", "count", filters],
    queryFn: () => gql<RunsCountAnswer>(RUNS_COUNT_QUERY, { filter: runsFilter(filters) }),
    refetchInterval: COUNT_POLL_MS,
  });
  const list = runs.data?.pages.flatMap((p) => p.runs.edges.map((e) => e.node)) ?? [];
  const total = count.data?.runs.totalCount;

  return (
    <Page title="Runs">
      <Stack gap="sm">
        <Group align="flex-end" gap="md" wrap="wrap">
          <MultiSelect
            label="Functions"
            placeholder={filters.functions.length ? undefined : "All functions"}
            data={functionData}
            value={filters.functions}
            onChange={(v) => setList("function", v)}
            searchable
            clearable
            style={{ flex: "1 1 260px", maxWidth: 480 }}
          />
          <div>
            <Input.Label id="range-label" display="block">
              Time range
            </Input.Label>
            <SegmentedControl
              aria-labelledby="range-label"
              value={filters.range}
              onChange={(v) =>
                update((next) => {
                  next.set("range", v);
                  if (v === "custom" && !next.get("from")) next.set("from", localAgo(24 * HOUR));
                })
              }
              data={[
                ...Object.entries(RANGES).map(([value, r]) => ({ value, label: `Last ${r.label}` })),
                { value: "custom", label: "Custom" },
              ]}
              size="xs"
            />
          </div>
        </Group>
        {filters.range === "custom" ? (
          <Group gap="md" wrap="wrap">
            <TextInput
              type="datetime-local"
              label="From"
              value={filters.from ?? ""}
              onChange={(e) => update((next) => next.set("from", e.currentTarget.value))}
            />
            <TextInput
              type="datetime-local"
              label="Until"
              description="Empty: now"
              value={filters.until ?? ""}
              onChange={(e) =>
                update((next) => {
                  if (e.currentTarget.value) next.set("until", e.currentTarget.value);
                  else next.delete("until");
                })
              }
            />
          </Group>
        ) : null}
        <Chip.Group multiple value={filters.statuses} onChange={(v) => setList("status", v)}>
          <Group gap={6} role="group" aria-label="Status">
            <Input.Label component="span" mr={4}>
              Status
            </Input.Label>
            {RUN_STATUSES.map((s) => (
              <Chip key={s} value={s} size="xs">
                {titleCase(s)}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
      </Stack>

      {runs.isPending ? <Loading label="Loading runs" /> : null}
      {runs.isError && !runs.data ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : null}
      {runs.data && list.length === 0 ? (
        <EmptyState title="No runs in this range">
          Try a wider time range or fewer filters, or start one with the Send test event button.
        </EmptyState>
      ) : null}
      {list.length > 0 ? (
        <>
          <Text size="sm" c="dimmed" role="status">
            Showing {list.length} of {total ?? "…"} runs
          </Text>
          {narrow ? (
            <Stack gap="xs" component="ul" data-testid="runs-table" p={0} m={0} style={{ listStyle: "none" }}>
              {list.map((run) => (
                <RunCard key={run.id} run={run} />
              ))}
            </Stack>
          ) : (
            <RunsTable runs={list} />
          )}
        </>
      ) : null}
      {runs.isError && runs.data ? <ErrorState error={runs.error} /> : null}
      {runs.hasNextPage ? (
        <Group justify="center">
          <Button
            variant="default"
            onClick={() => void runs.fetchNextPage()}
            loading={runs.isFetchingNextPage}
          >
            Load more
          </Button>
        </Group>
      ) : null}
    </Page>
  );
}
