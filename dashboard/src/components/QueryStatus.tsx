import { Button, Group } from "@mantine/core";
import type { InfiniteData, Query, QueryKey } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiError } from "../api/client";
import { ErrorState } from "./ErrorState";
import { Loading } from "./Loading";

interface Loadable {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  /** Paged lists: a failed "Load more" is shown by LoadMore instead. */
  isFetchNextPageError?: boolean;
  refetch(): unknown;
}

/**
 * A query's first load: a spinner while pending, the error (with Retry) when it failed with
 * nothing to show, or the error alone above data kept from an earlier answer (a failed poll).
 */
export function QueryStatus({ query, label }: { query: Loadable; label: string }): ReactNode {
  if (query.isPending) return <Loading label={label} />;
  if (!query.isError || query.isFetchNextPageError) return null;
  return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
}

interface Pages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: unknown;
  fetchNextPage(): unknown;
}

/** The footer of a paged list: why the last "Load more" failed, and "Load more" while there is more. */
export function LoadMore({ query }: { query: Pages }) {
  return (
    <>
      {query.isFetchNextPageError ? <ErrorState error={query.error} /> : null}
      {query.hasNextPage ? (
        <Group justify="center">
          <Button
            variant="default"
            onClick={() => void query.fetchNextPage()}
            loading={query.isFetchingNextPage}
          >
            Load more
          </Button>
        </Group>
      ) : null}
    </>
  );
}

/**
 * A refresh that stops when the API refuses the request (Retry asks again), and goes on through a
 * lost connection or a server error, so the page recovers by itself once the API is back.
 */
export const untilApiError =
  <TData, TFnData = TData, TKey extends QueryKey = QueryKey>(
    every: number | ((query: Query<TFnData, Error, TData, TKey>) => number | false),
  ) =>
  (query: Query<TFnData, Error, TData, TKey>): number | false => {
    // The API refused the request itself (a GraphQL error, a 4xx): asking again gives the same
    // answer. A lost connection or a 5xx may pass, so those keep the refresh going.
    const { error } = query.state;
    if (error instanceof ApiError && error.status < 500) return false;
    return typeof every === "number" ? every : every(query);
  };

/**
 * How often a paged list polls: every `everyMs` with one page loaded, and that much slower per
 * page loaded, since a refetch reads every loaded page again (one page per `everyMs` on average);
 * stopped by the API's refusal as `untilApiError`.
 */
export const pollPages = <TFnData, TPageParam, TKey extends QueryKey>(everyMs: number) =>
  untilApiError<InfiniteData<TFnData, TPageParam>, TFnData, TKey>(
    (query) => everyMs * Math.max(1, query.state.data?.pages.length ?? 1),
  );
