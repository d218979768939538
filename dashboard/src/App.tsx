import { Anchor, AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useEffect } from "react";
import { createHashRouter, Link, Navigate, Outlet, useLocation, useRouteError } from "react-router";
import { auth, useHasKey, useNeedsKey } from "./api/auth";
import { setApiKey } from "./api/client";
import { ApiKeyForm } from "./components/ApiKeyForm";
import { ErrorState } from "./components/ErrorState";
import { Loading } from "./components/Loading";
import { Page } from "./components/Page";
import { SendEventModal } from "./components/SendEventModal";
import { MAIN_ID, SkipLink } from "./components/SkipLink";
import { AppsPage } from "./pages/AppsPage";
import { EventPage } from "./pages/EventPage";
import { EventsPage } from "./pages/EventsPage";
import { FunctionsPage } from "./pages/FunctionsPage";
import { RunsPage } from "./pages/RunsPage";

const RunPage = lazy(() => import("./pages/RunPage"));

function Icon({ d }: { d: string }) {
  return (
    <svg
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      aria-hidden="true"
    >
      <path d={d} strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

const NAV: { to: string; label: string; icon: string }[] = [
  { to: "/apps", label: "Apps", icon: "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z" },
  {
    to: "/functions",
    label: "Functions",
    icon: "M9 4C6 4 7 12 4 12c3 0 2 8 5 8M15 4c3 0 2 8 5 8-3 0-2 8-5 8",
  },
  { to: "/events", label: "Events", icon: "M13 3L5 14h6l-1 7 8-11h-6z" },
  { to: "/runs", label: "Runs", icon: "M5 4l14 8-14 8z" },
];

function Logo() {
  return (
    <Anchor component={Link} to="/runs" underline="never" c="inherit" aria-label="Tideline home">
      <Group gap={6} wrap="nowrap">
        <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M1 10c2-3 4-3 7 0s5 3 7 0v5H1z" fill="var(--mantine-color-blue-6)" />
          <path
            d="M1 6c2-3 4-3 7 0s5 3 7 0"
            fill="none"
            stroke="var(--mantine-color-blue-4)"
            strokeWidth="1.5"
          />
        </svg>
        <Text fw={700} size="lg">
          Tideline
        </Text>
      </Group>
    </Anchor>
  );
}

function Shell() {
  const [navOpen, nav] = useDisclosure(false);
  const [sendOpen, send] = useDisclosure(false);
  const needsKey = useNeedsKey();
  const hasKey = useHasKey();
  const queryClient = useQueryClient();
  const location = useLocation();

  // Following a link closes the mobile navigation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation on purpose
  useEffect(() => nav.close(), [location.pathname]);

  function forgetKey() {
    setApiKey(null);
    auth.changed();
    void queryClient.resetQueries();
  }

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 210, breakpoint: "sm", collapsed: { mobile: !navOpen } }}
      padding={{ base: "sm", sm: "md" }}
    >
      <SkipLink />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navOpen ? "Close navigation" : "Open navigation"}
              aria-expanded={navOpen}
            />
            <Logo />
          </Group>
          <Button size="xs" onClick={send.open} disabled={needsKey}>
            Send test event
          </Button>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <AppShell.Section grow>
          {NAV.map((item) => {
            const active = location.pathname === item.to || location.pathname.startsWith(`${item.to}/`);
            return (
              <NavLink
                key={item.to}
                component={Link}
                to={item.to}
                label={item.label}
                active={active}
                aria-current={active ? "page" : undefined}
                leftSection={<Icon d={item.icon} />}
                onClick={nav.close}
              />
            );
          })}
        </AppShell.Section>
        {hasKey ? (
          <AppShell.Section>
            <Button variant="subtle" color="gray" size="xs" fullWidth onClick={forgetKey}>
              Forget key
            </Button>
          </AppShell.Section>
        ) : null}
      </AppShell.Navbar>
      <AppShell.Main id={MAIN_ID} tabIndex={-1} style={{ outline: "none" }}>
        {needsKey ? (
          <ApiKeyForm />
        ) : (
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        )}
      </AppShell.Main>
      <SendEventModal opened={sendOpen} onClose={send.close} />
    </AppShell>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <Text>
        Nothing lives at this address. Go to the{" "}
        <Anchor component={Link} to="/runs">
          runs
        </Anchor>
        .
      </Text>
    </Page>
  );
}

function RouteError() {
  const error = useRouteError();
  return (
    <Stack p="md" maw={720} mx="auto">
      <Title order={1}>Something went wrong</Title>
      <ErrorState error={error} onRetry={() => window.location.reload()} />
    </Stack>
  );
}

function routed(element: ReactNode) {
  return { element, errorElement: <RouteError /> };
}

export const router = createHashRouter([
  {
    path: "/",
    ...routed(<Shell />),
    children: [
      { index: true, element: <Navigate to="/runs" replace /> },
      { path: "apps", ...routed(<AppsPage />) },
      { path: "functions", ...routed(<FunctionsPage />) },
      { path: "events", ...routed(<EventsPage />) },
      { path: "events/:eventId", ...routed(<EventPage />) },
      { path: "runs", ...routed(<RunsPage />) },
      { path: "runs/:runId", ...routed(<RunPage />) },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
