import {
  Anchor,
  Badge,
  Card,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import { gql } from "../api/client";
import { FUNCTIONS_QUERY, type FunctionConfiguration, type FunctionDetail } from "../api/queries";
import { CostBadge } from "../components/CostBadge";
import { EmptyState } from "../components/EmptyState";
import { Labeled, Qualifier } from "../components/Field";
import { Page } from "../components/Page";
import { QueryStatus, untilApiError } from "../components/QueryStatus";

const DAY_MS = 24 * 60 * 60 * 1000;

interface Row {
  label: string;
  value: ReactNode;
}

/** A flow-control setting and the key it applies per (when set). */
const keyedRow = (label: string, text: string, key: string | null): Row => ({
  label,
  value: (
    <>
      {text}
      <Qualifier word="per" code={key} />
    </>
  ),
});

/** The flow-control options the function set, each as a label and a value; unset ones are left out. */
function flowControl(c: FunctionConfiguration): Row[] {
  const { throttle: t, rateLimit: r, debounce: d, eventsBatch: b, singleton: s } = c;
  const rows: (Row | null)[] = [
    ...c.concurrency.map((cc, i) =>
      keyedRow(i === 0 ? "Concurrency" : "", `${cc.limit.value} (${cc.scope.toLowerCase()})`, cc.key),
    ),
    t && keyedRow("Throttle", `${t.limit} per ${t.period}, burst ${t.burst}`, t.key),
    r && keyedRow("Rate limit", `${r.limit} per ${r.period}`, r.key),
    d && keyedRow("Debounce", d.period, d.key),
    b && keyedRow("Batch", `up to ${b.maxSize} events or ${b.timeout}`, b.key),
    s && keyedRow("Singleton", s.mode.toLowerCase(), s.key),
    c.priority ? { label: "Priority", value: <Code>{c.priority}</Code> } : null,
    ...c.cancellations.map((cancel, i) => ({
      label: i === 0 ? "Cancel on" : "",
      value: (
        <>
          <Code>{cancel.event}</Code>
          <Qualifier word="if" code={cancel.condition} />
          {cancel.timeout ? ` within ${cancel.timeout}` : null}
        </>
      ),
    })),
  ];
  return rows.filter((row) => row !== null);
}

/** A small upper-case heading over a part of a card. */
function Overline({ children }: { children: ReactNode }) {
  return (
    <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
      {children}
    </Text>
  );
}

function Stat({ label, value, color }: { label: string; value: ReactNode; color?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={600} c={color}>
        {value}
      </Text>
    </div>
  );
}

function RunStats({ fn }: { fn: FunctionDetail }) {
  const s = fn.runStats;
  const more = s.truncated ? "+" : "";
  return (
    <Stack gap={4}>
      <Overline>
        Last 24 hours
        {s.truncated ? (
          <Tooltip label="Counted up to a limit: there are more" withArrow>
            <Text span size="xs" c="dimmed">
              {" "}
              (at least)
            </Text>
          </Tooltip>
        ) : null}
      </Overline>
      <SimpleGrid cols={{ base: 3, xs: 4, sm: 7 }} spacing="xs" data-testid="run-stats">
        <Stat label="Runs" value={`${s.total}${more}`} />
        <Stat label="Running" value={s.running} color={s.running ? "blue" : undefined} />
        <Stat label="Completed" value={s.completed} color={s.completed ? "green" : undefined} />
        <Stat label="Failed" value={s.failed} color={s.failed ? "red" : undefined} />
        <Stat label="Cancelled" value={s.cancelled} />
        <Stat label="Skipped" value={s.skipped} />
        <Stat label="AWS cost" value={<CostBadge usd={s.awsCostUsd} size="sm" fw={600} />} />
      </SimpleGrid>
    </Stack>
  );
}

function FunctionCard({ fn }: { fn: FunctionDetail }) {
  const triggers = fn.triggers ?? [];
  const flow = flowControl(fn.configuration);
  const retries = fn.configuration.retries;
  return (
    <Card
      withBorder
      padding="md"
      component="article"
      data-testid="function-card"
      aria-labelledby={`fn-${fn.id}`}
    >
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <div style={{ minWidth: 0 }}>
            <Title order={2} fz="h4" id={`fn-${fn.id}`} style={{ wordBreak: "break-word" }}>
              {fn.name}
            </Title>
            <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
              {fn.slug} · app {fn.app.name}
            </Text>
          </div>
          <Anchor component={Link} to={`/runs?function=${encodeURIComponent(fn.id)}`} size="sm">
            View runs
          </Anchor>
        </Group>
        <Stack gap={4}>
          <Overline>Triggers</Overline>
          {triggers.length === 0 ? (
            <Text size="sm" c="dimmed">
              None (invoked only)
            </Text>
          ) : (
            triggers.map((t) => (
              <Group key={`${t.type}:${t.value}:${t.condition ?? ""}`} gap={6} wrap="wrap">
                <Badge size="sm" variant="outline" color={t.type === "CRON" ? "grape" : "blue"}>
                  {t.type === "CRON" ? "cron" : "event"}
                </Badge>
                <Code>{t.value}</Code>
                {t.condition ? (
                  <Text size="sm">
                    if <Code>{t.condition}</Code>
                  </Text>
                ) : null}
              </Group>
            ))
          )}
        </Stack>
        <Stack gap={4}>
          <Overline>Configuration</Overline>
          <Labeled label="Retries">
            {retries.value}
            {retries.isDefault ? (
              <Text span c="dimmed" size="xs">
                {" "}
                (default)
              </Text>
            ) : null}
          </Labeled>
          {flow.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list built per render
            <Labeled key={i} label={row.label} style={{ wordBreak: "break-word" }}>
              {row.value}
            </Labeled>
          ))}
          {flow.length === 0 ? (
            <Text size="sm" c="dimmed">
              No flow control
            </Text>
          ) : null}
        </Stack>
        <RunStats fn={fn} />
      </Stack>
    </Card>
  );
}

export function FunctionsPage() {
  const [filter, setFilter] = useState("");
  const functions = useQuery({
    queryKey: ["functions", "detail"],
    queryFn: () =>
      gql<{ functions: FunctionDetail[] | null }>(FUNCTIONS_QUERY, {
        from: new Date(Date.now() - DAY_MS).toISOString(),
      }),
    // Each function's runStats reads its last 24 hours of runs from the listing index (up to 1,000,
    // passing over other functions' runs) and their usage items. Every poll repeats those DynamoDB
    // reads for each function while the page is open, hence once a minute.
    refetchInterval: untilApiError(60_000),
  });
  const all = functions.data?.functions ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? all.filter((f) => `${f.name} ${f.slug} ${f.app.name}`.toLowerCase().includes(needle))
    : all;
  return (
    <Page title="Functions">
      {/* Shown while a filter is typed, even once it leaves five or fewer. */}
      {all.length > 5 || filter ? (
        <TextInput
          label="Filter"
          placeholder="Name, slug or app"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          maw={360}
        />
      ) : null}
      <QueryStatus query={functions} label="Loading functions" />
      {functions.data && all.length === 0 ? (
        <EmptyState title="No functions yet">
          Functions appear once an app is synced. See{" "}
          <Anchor component={Link} to="/apps">
            Apps
          </Anchor>
          .
        </EmptyState>
      ) : null}
      {all.length > 0 && shown.length === 0 ? <EmptyState title="No function matches the filter" /> : null}
      <Stack gap="md">
        {shown.map((fn) => (
          <FunctionCard key={fn.id} fn={fn} />
        ))}
      </Stack>
    </Page>
  );
}
