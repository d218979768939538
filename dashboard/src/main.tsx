import "@mantine/core/styles.css";
import { createTheme, MantineProvider } from "@mantine/core";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router/dom";
import { router } from "./App";
import { auth } from "./api/auth";
import { Unauthorized, Unreachable } from "./api/client";

const onError = (err: unknown) => {
  if (err instanceof Unauthorized) auth.requireKey();
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      // Only a lost connection is worth retrying; a 401 or a GraphQL error will answer the same.
      retry: (failures, err) => err instanceof Unreachable && failures < 1,
      retryDelay: 500,
      refetchOnWindowFocus: true,
      staleTime: 1000,
    },
  },
});

const theme = createTheme({
  primaryColor: "blue",
  fontFamilyMonospace: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
  defaultRadius: "sm",
  // Collapses, modals and the like appear at once for people who ask for less motion.
  respectReducedMotion: true,
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
