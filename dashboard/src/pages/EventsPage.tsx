import { Anchor, Button, Card, Code, Collapse, Group, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { gql } from "../api/client";
import { EVENTS_QUERY, type EventNode, type EventsAnswer } from "../api/queries";
import { EmptyState } from "../components/EmptyState";
import { JsonView } from "../components/JsonView";
import { Page } from "../components/Page";
import { LoadMore, pollPages, QueryStatus } from "../components/QueryStatus";
import { RunLinks } from "../components/RunLinks";
import { formatTime } from "../lib/format";

const PAGE_SIZE = 20;
const POLL_MS = 2000;
/** The store keeps events for its retention only; the server bounds the window by it. */
const EPOCH = "1970-01-01T00:00:00Z";

function EventCard({ event }: { event: EventNode }) {
  const [open, payload] = useDisclosure(false);
  const panelId = `payload-${event.id}`;
  return (
    <Card withBorder padding="sm" component="article" data-testid="event-row">
      <Stack gap="xs">
        <Group justify="space-between" gap="xs" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <Anchor component={Link} to={`/events/${event.id}`} fw={600} style={{ wordBreak: "break-all" }}>
              {event.name}
            </Anchor>
            <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: "break-all" }}>
              {event.id}
            </Text>
          </div>
          <Text size="sm" c="dimmed">
            {formatTime(event.receivedAt)}
          </Text>
        </Group>
        <RunLinks runs={event.runs} />
        <Group>
          <Button
            variant="subtle"
            size="compact-sm"
            onClick={payload.toggle}
            aria-expanded={open}
            aria-controls={open ? panelId : undefined}
          >
            {open ? "Hide payload" : "Show payload"}
          </Button>
        </Group>
        <Collapse expanded={open} id={panelId} keepMounted={false}>
          <JsonView value={event.raw} maxHeight={360} aria-label={`Payload of ${event.name}`} />
        </Collapse>
      </Stack>
    </Card>
  );
}

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const urlName = params.get("name") ?? "";
  const [name, setName] = useState(urlName);
  // A link to #/events?name=… (or to #/events) while the page is open sets the field too.
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows the URL only, not each keystroke
  useEffect(() => {
    if (urlName !== name.trim()) setName(urlName);
  }, [urlName]);
  const [debounced] = useDebouncedValue(name.trim(), 400);
  const [internal, setInternal] = useState(false);
  const names = debounced
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);

  const events = useInfiniteQuery({
    queryKey: ["events", "list", names, internal],
    queryFn: ({ pageParam }) =>
      gql<EventsAnswer>(EVENTS_QUERY, {
        first: PAGE_SIZE,
        after: pageParam,
        filter: {
          from: EPOCH,
          includeInternalEvents: internal,
          ...(names.length > 0 ? { eventNames: names } : {}),
        },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) =>
      last.eventsV2.pageInfo.hasNextPage ? (last.eventsV2.pageInfo.endCursor ?? undefined) : undefined,
    refetchInterval: pollPages(POLL_MS),
    // A new filter keeps the cards on screen (dimmed) until its own arrive.
    placeholderData: keepPreviousData,
  });

  const list = events.data?.pages.flatMap((p) => p.eventsV2.edges.map((e) => e.node)) ?? [];

  function onName(value: string) {
    setName(value);
    const next = new URLSearchParams(params);
    if (value.trim()) next.set("name", value.trim());
    else next.delete("name");
    setParams(next, { replace: true });
  }

  return (
    <Page title="Events">
      <Group align="flex-end" gap="md" wrap="wrap">
        <TextInput
          label="Event name"
          description="Exact names, comma-separated"
          placeholder="app/user.created"
          value={name}
          onChange={(e) => onName(e.currentTarget.value)}
          style={{ flex: "1 1 240px", maxWidth: 420 }}
        />
        <Switch
          label="Include internal events"
          checked={internal}
          onChange={(e) => setInternal(e.currentTarget.checked)}
          mb={8}
        />
      </Group>
      <QueryStatus query={events} label="Loading events" />
      {events.data && !events.isPlaceholderData && list.length === 0 ? (
        <EmptyState title={names.length > 0 ? "No events with this name" : "No events yet"}>
          Send one with <Code>POST /e/&lt;key&gt;</Code>, an SDK's <Code>inngest.send()</Code>, or the Send
          test event button.
        </EmptyState>
      ) : null}
      {list.length > 0 ? (
        <Text size="sm" c="dimmed" role="status">
          Showing {list.length} {list.length === 1 ? "event" : "events"}
          {events.hasNextPage ? " (more below)" : ""}
        </Text>
      ) : null}
      <Stack
        gap="sm"
        data-testid="events-list"
        aria-busy={events.isPlaceholderData}
        style={{ opacity: events.isPlaceholderData ? 0.6 : 1 }}
      >
        {list.map((event) => (
          <EventCard key={event.id} event={event} />
        ))}
      </Stack>
      <LoadMore query={events} />
    </Page>
  );
}
