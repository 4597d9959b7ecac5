/**
 * The person's notifications as they arrive: the unread count and a page of the inbox, newest
 * first. This hook is the one place that keeps them current: the `myNotificationFeed`
 * subscription says when something arrived or was read (in another tab too) and the page is
 * asked again; only while the socket cannot carry it does the hook poll. Marking read goes
 * through `useMarkMyNotificationsRead`, which refreshes exactly what this hook shows.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { graphql } from "../gql";
import type { MyNotificationsQuery } from "../gql/graphql";
import { execute } from "./client";
import { useLive } from "./data";

const FeedDocument = graphql(`
  subscription MyNotificationFeed { myNotificationFeed { unread } }
`);

export const MyNotificationsDocument = graphql(`
  query MyNotifications($first: Int!, $after: String, $unreadOnly: Boolean!) {
    myUnreadNotifications
    myNotifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      nodes { id tenantId eventType eventTenantId severity title link path occurredAt readAt }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const MarkReadDocument = graphql(`
  mutation MarkMyNotificationsRead($ids: [ID!]) { markMyNotificationsRead(ids: $ids) }
`);

export type InboxItem = MyNotificationsQuery["myNotifications"]["nodes"][number];

/** How often the count and the inbox are asked again while a screen shows them. */
export const LIVE_INTERVAL_MS = 15_000;
const KEY = "my-notifications";

export interface LiveOptions { first?: number; after?: string | null; unreadOnly?: boolean }

export function useMyNotificationsLive(options: LiveOptions = {}) {
  const variables = { first: options.first ?? 10, after: options.after ?? null, unreadOnly: options.unreadOnly ?? false };
  const client = useQueryClient();
  const updates = useRef(0);
  const live = useLive(FeedDocument, {}, true, () => {
    // the first answer is the state now, which the query below already asks for
    if (updates.current++ > 0) void client.invalidateQueries({ queryKey: [KEY] });
  });
  const query = useQuery({
    queryKey: [KEY, variables],
    queryFn: () => execute(MyNotificationsDocument, variables),
    refetchInterval: live ? false : LIVE_INTERVAL_MS,
    refetchIntervalInBackground: false,
  });
  return {
    unread: query.data?.myUnreadNotifications ?? 0,
    items: query.data?.myNotifications.nodes ?? [],
    pageInfo: query.data?.myNotifications.pageInfo,
    isPending: query.isPending,
    error: query.error,
  };
}

/** Mark some (ids) or all (none) of the person's notifications read. */
export function useMarkMyNotificationsRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[] | null) => execute(MarkReadDocument, { ids }),
    onSuccess: () => client.invalidateQueries({ queryKey: [KEY] }),
  });
}
