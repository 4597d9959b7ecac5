/** The notification screens' operations (typed from ../schema.graphql) and the event-type
 * catalog they share, asked once per language (titles come in the reader's language). */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { execute } from "../../app/client";
import { graphql } from "../../gql";

const EventTypesDocument = graphql(`
  query NotificationEventTypes { eventTypes { name title summary objectType } }
`);

export function useEventTypes() {
  const { i18n } = useTranslation();
  return useQuery({
    queryKey: ["event-types", i18n.language],
    queryFn: async () => (await execute(EventTypesDocument)).eventTypes,
    staleTime: 10 * 60_000,
  });
}

export const PreferencesDocument = graphql(`
  query MyNotificationPreferences {
    myNotificationPreferences { channel cadence timezone byEventType { eventType cadence } }
  }
`);

export const SetPreferenceDocument = graphql(`
  mutation SetMyNotificationPreference($cadence: String!, $channel: String!, $eventType: String, $timezone: String) {
    setMyNotificationPreference(cadence: $cadence, channel: $channel, eventType: $eventType, timezone: $timezone) {
      preference { channel cadence timezone byEventType { eventType cadence } }
      errors { code message field }
    }
  }
`);

export const CalendarFeedsDocument = graphql(`
  query MyCalendarFeeds { myCalendarFeeds { id createdAt revokedAt lastUsedAt } }
`);

export const CreateFeedDocument = graphql(`
  mutation CreateMyCalendarFeed { createMyCalendarFeed { feed { id } url errors { code message field } } }
`);

export const RevokeFeedDocument = graphql(`
  mutation RevokeMyCalendarFeed($feedId: ID!) {
    revokeMyCalendarFeed(feedId: $feedId) { feed { id revokedAt } errors { code message field } }
  }
`);

export const DestinationsDocument = graphql(`
  query NotificationDestinations($tenantId: ID!) {
    notificationDestinations(tenantId: $tenantId, first: 100) {
      nodes { id name kind target locale ratePerMinute enabled signed secretsInUse createdAt }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const RegisterDestinationDocument = graphql(`
  mutation RegisterNotificationDestination($tenantId: ID!, $kind: String!, $name: String!, $target: String!,
    $secret: String, $locale: String, $ratePerMinute: Int!) {
    registerNotificationDestination(tenantId: $tenantId, kind: $kind, name: $name, target: $target,
      secret: $secret, locale: $locale, ratePerMinute: $ratePerMinute) {
      destination { id name kind } secret errors { code message field }
    }
  }
`);

export const RotateSecretDocument = graphql(`
  mutation RotateNotificationSecret($tenantId: ID!, $destinationId: ID!, $secret: String) {
    rotateNotificationSecret(tenantId: $tenantId, destinationId: $destinationId, secret: $secret) {
      destination { id name secretsInUse } secret errors { code message field }
    }
  }
`);

export const RemoveDestinationDocument = graphql(`
  mutation RemoveNotificationDestination($tenantId: ID!, $destinationId: ID!) {
    removeNotificationDestination(tenantId: $tenantId, destinationId: $destinationId) { removedId errors { code message field } }
  }
`);

export const TestSendDocument = graphql(`
  mutation SendTestNotification($tenantId: ID!, $destinationId: ID!) {
    sendTestNotification(tenantId: $tenantId, destinationId: $destinationId) {
      delivery { id status lastStatus detail destinationId } errors { code message field }
    }
  }
`);

export const RulesDocument = graphql(`
  query NotificationRules($tenantId: ID!, $members: Boolean!) {
    notificationRules(tenantId: $tenantId, first: 100) {
      nodes { id name eventTypes minSeverity includeSubsidiaries roles raciRoles userIds destinationIds enabled updatedAt }
      pageInfo { hasNextPage endCursor }
    }
    notificationDestinations(tenantId: $tenantId, first: 100) { nodes { id name kind } }
    members(tenantId: $tenantId, first: 100) @include(if: $members) { nodes { userId displayName email role } }
  }
`);

export const SaveRuleDocument = graphql(`
  mutation SaveNotificationRule($tenantId: ID!, $rule: RuleInput!, $ruleId: ID) {
    saveNotificationRule(tenantId: $tenantId, rule: $rule, ruleId: $ruleId) { rule { id name } errors { code message field } }
  }
`);

export const RemoveRuleDocument = graphql(`
  mutation RemoveNotificationRule($tenantId: ID!, $ruleId: ID!) {
    removeNotificationRule(tenantId: $tenantId, ruleId: $ruleId) { removedId errors { code message field } }
  }
`);

export const DeliveriesDocument = graphql(`
  query NotificationDeliveries($tenantId: ID!, $status: String, $after: String, $members: Boolean!) {
    notificationDeliveries(tenantId: $tenantId, status: $status, first: 50, after: $after) {
      nodes { id eventType channel userId destinationId mode status attempts lastStatus detail requestedAt notBefore deliveredAt }
      pageInfo { hasNextPage endCursor }
    }
    notificationDestinations(tenantId: $tenantId, first: 100) { nodes { id name } }
    members(tenantId: $tenantId, first: 100) @include(if: $members) { nodes { userId displayName } }
  }
`);
