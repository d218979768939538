import { Chip, Group, Input, MultiSelect, SegmentedControl, Stack, Text, TextInput } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { describeError, gql } from "../api/client";
import {
  FUNCTION_OPTIONS_QUERY,
  type FunctionOption,
  RUN_STATUSES,
  RUNS_COUNT_QUERY,
  RUNS_QUERY,
  type RunsAnswer,
  type RunsCountAnswer,
} from "../api/queries";
import { EmptyState } from "../components/EmptyState";
import { Page } from "../components/Page";
import { LoadMore, pollPages, QueryStatus, untilApiError } from "../components/QueryStatus";
import { RunCards, RunsTable } from "../components/RunRows";

const PAGE_SIZE = 50;
/** The total is a count over the whole window: refreshed every 30 s, the rows every 2 s. */
const COUNT_POLL_MS = 30_000;
const POLL_MS = 2000;
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
    refetchInterval: pollPages(POLL_MS),
    // A new filter keeps the rows on screen (dimmed) until its own arrive.
    placeholderData: keepPreviousData,
  });
  const count = useQuery({
    queryKey: ["runs", "count", filters],
    queryFn: () => gql<RunsCountAnswer>(RUNS_COUNT_QUERY, { filter: runsFilter(filters) }),
    refetchInterval: untilApiError(COUNT_POLL_MS),
  });
  const list = runs.data?.pages.flatMap((p) => p.runs.edges.map((e) => e.node)) ?? [];
  const total = count.data?.runs.totalCount;

  return (
    <Page title="Runs">
      <Stack gap="sm">
        <Group align="flex-start" gap="md" wrap="wrap">
          <MultiSelect
            label="Functions"
            placeholder={filters.functions.length ? undefined : "All functions"}
            data={functionData}
            value={filters.functions}
            onChange={(v) => setList("function", v)}
            searchable
            clearable
            error={options.isError ? `Could not list the functions: ${describeError(options.error)}` : null}
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

      <QueryStatus query={runs} label="Loading runs" />
      {runs.data && !runs.isPlaceholderData && list.length === 0 ? (
        <EmptyState title="No runs in this range">
          Try a wider time range or fewer filters, or start one with the Send test event button.
        </EmptyState>
      ) : null}
      {list.length > 0 ? (
        <>
          <Text size="sm" c="dimmed" role="status">
            {count.isError ? `Showing ${list.length} runs` : `Showing ${list.length} of ${total ?? "…"} runs`}
          </Text>
          <div aria-busy={runs.isPlaceholderData} style={{ opacity: runs.isPlaceholderData ? 0.6 : 1 }}>
            {narrow ? <RunCards runs={list} /> : <RunsTable runs={list} />}
          </div>
        </>
      ) : null}
      <LoadMore query={runs} />
    </Page>
  );
}
