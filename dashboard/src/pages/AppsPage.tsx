import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { ApiError, describeError, gql, isObject, type Json, rest } from "../api/client";
import { APPS_QUERY, type App } from "../api/queries";
import { EmptyState } from "../components/EmptyState";
import { Labeled } from "../components/Field";
import { Page } from "../components/Page";
import { QueryStatus, untilApiError } from "../components/QueryStatus";

/** What the app said to the sync, in one line. */
function appSaid(answer: Json): string {
  if (!isObject(answer)) return typeof answer === "string" ? answer : JSON.stringify(answer);
  const said = answer.app_response;
  if (isObject(said) && typeof said.message === "string") return said.message;
  if (isObject(said) && typeof said.error === "string") return said.error;
  if (typeof said === "string" && said) return said;
  return JSON.stringify(said ?? answer);
}

function syncError(err: unknown): string {
  if (err instanceof ApiError && isObject(err.body) && "app_response" in err.body) {
    return `The app answered ${err.status}: ${appSaid(err.body)}`;
  }
  return describeError(err);
}

/** POST /v1/apps/sync: Tideline asks the app at `url` to register itself. */
function useSync() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (url: string) => rest<Json>("POST", "/v1/apps/sync", { url }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ["apps"] });
      void queryClient.invalidateQueries({ queryKey: ["functions"] });
    },
  });
}

function SyncResult({ sync }: { sync: ReturnType<typeof useSync> }) {
  if (sync.isError) {
    return (
      <Alert color="red" title="Sync failed" role="status">
        {syncError(sync.error)}
      </Alert>
    );
  }
  if (sync.isSuccess) {
    return (
      <Alert color="green" title="Synced" role="status">
        {appSaid(sync.data)}
      </Alert>
    );
  }
  return null;
}

function AppCard({ app }: { app: App }) {
  const sync = useSync();
  const ok = !app.error;
  return (
    <Card
      withBorder
      padding="md"
      data-testid="app-card"
      component="article"
      aria-labelledby={`app-${app.id}`}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={2} fz="h4" id={`app-${app.id}`} style={{ wordBreak: "break-word" }}>
            {app.name}
          </Title>
          <Badge color={ok ? "green" : "red"} variant="light">
            {ok ? "Synced" : "Sync error"}
          </Badge>
        </Group>
        {app.error ? (
          <Alert color="red" title="Error">
            {app.error}
          </Alert>
        ) : null}
        <Stack gap={4}>
          <Labeled label="URL" style={{ wordBreak: "break-all" }}>
            {app.url ? <Code>{app.url}</Code> : "—"}
          </Labeled>
          <Labeled label="SDK">
            {app.sdkLanguage} {app.sdkVersion}
            {app.framework ? (
              <>
                <Text span c="dimmed" size="sm">
                  {" · framework "}
                </Text>
                {app.framework}
              </>
            ) : null}
          </Labeled>
          {app.appVersion ? <Labeled label="Version">{app.appVersion}</Labeled> : null}
          <Labeled label="Functions">
            <Anchor component={Link} to="/functions">
              {app.functionCount}
            </Anchor>
            {app.functions.length > 0 ? (
              <Text span c="dimmed" size="xs">
                {" "}
                ({app.functions.map((f) => f.name).join(", ")})
              </Text>
            ) : null}
          </Labeled>
        </Stack>
        <SyncResult sync={sync} />
        <Group>
          <Button
            size="xs"
            variant="light"
            onClick={() => app.url && sync.mutate(app.url)}
            loading={sync.isPending}
            disabled={!app.url}
          >
            Re-sync
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** Sync a new app by URL (the same call as Re-sync). */
function SyncForm() {
  const sync = useSync();
  const [url, setUrl] = useState("");
  function submit(e: FormEvent) {
    e.preventDefault();
    if (url.trim()) sync.mutate(url.trim());
  }
  return (
    <Card withBorder padding="md" component="form" onSubmit={submit}>
      <Stack gap="xs">
        <Group align="flex-end" gap="xs" wrap="wrap">
          <TextInput
            label="App URL"
            placeholder="http://localhost:3000/api/inngest"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            style={{ flex: "1 1 260px" }}
          />
          <Button type="submit" loading={sync.isPending} disabled={!url.trim()}>
            Sync app
          </Button>
        </Group>
        <SyncResult sync={sync} />
      </Stack>
    </Card>
  );
}

export function AppsPage() {
  const apps = useQuery({
    queryKey: ["apps"],
    queryFn: () => gql<{ apps: App[] }>(APPS_QUERY),
    refetchInterval: untilApiError(5000),
  });
  const origin = window.location.origin;
  return (
    <Page title="Apps">
      <SyncForm />
      <QueryStatus query={apps} label="Loading apps" />
      {apps.data && apps.data.apps.length === 0 ? (
        <EmptyState title="No apps synced yet">
          Point an SDK at this server (<Code>INNGEST_DEV=1</Code>, <Code>INNGEST_BASE_URL={origin}</Code>) and
          serve your functions, or enter the app's serve URL above to sync it.
        </EmptyState>
      ) : null}
      {apps.data && apps.data.apps.length > 0 ? (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          {apps.data.apps.map((app) => (
            <AppCard key={app.id} app={app} />
          ))}
        </SimpleGrid>
      ) : null}
    </Page>
  );
}
