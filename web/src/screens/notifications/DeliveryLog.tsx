/** The delivery log, newest first, page by page, optionally of one status: each delivery's
 * event type, channel, where it went, attempts, what the receiver last answered and when the
 * next attempt is due (inbox items are not logged here: they are delivered when written). */
import { Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useGql } from "../../app/data";
import { Tag } from "../../app/Tag";
import { formatDate, Pager, Problems, useCursor } from "../../app/ui";
import { useWorkspace } from "../../app/workspace";
import type { NotificationDeliveriesQuery } from "../../gql/graphql";
import { DeliveriesDocument, useEventTypes } from "./data";
import { patternTitle } from "./model";
import { emptyText } from "./parts";

const STATUSES = ["queued", "running", "delivered", "retry", "dead", "pending", "digested", "skipped"];
const TONES: Record<string, string> = { delivered: "green", digested: "green", retry: "gold", dead: "red", skipped: "orange",
  queued: "blue", running: "blue", pending: "cyan" };

/** What the log holds beside the catalog's events: test sends and digests. */
const INTERNAL = new Set(["notification.test", "notification.digest"]);

type Delivery = NotificationDeliveriesQuery["notificationDeliveries"]["nodes"][number];

export function DeliveryLog() {
  const { t, i18n } = useTranslation();
  const { tenant, access } = useWorkspace();
  const [status, setStatus] = useState<string | null>(null);
  const cursor = useCursor();
  const query = useGql(DeliveriesDocument, { tenantId: tenant.id, status, after: cursor.after,
    members: access.can("ipgov:member", "read") });
  const types = useEventTypes();
  const destinations = new Map((query.data?.notificationDestinations.nodes ?? []).map((d) => [d.id, d.name]));
  const people = new Map((query.data?.members?.nodes ?? []).map((m) => [m.userId, m.displayName]));
  const when = (v: string | null | undefined) => v ? formatDate(v, i18n.language) : "";
  const to = (d: Delivery) => d.destinationId ? destinations.get(d.destinationId) ?? d.destinationId
    : d.userId ? people.get(d.userId) ?? d.userId : "";
  const page = query.data?.notificationDeliveries;
  return (
    <>
      <Problems error={query.error ?? types.error} />
      <Space style={{ marginBottom: 12 }}>
        <label htmlFor="delivery-status">{t("notifications.statusFilter")}</label>
        <Select id="delivery-status" style={{ minWidth: 200 }} value={status ?? ""} onChange={(v: string) => { setStatus(v || null); cursor.reset(); }}
          options={[{ value: "", label: t("notifications.allStatuses") },
            ...STATUSES.map((s) => ({ value: s, label: t(`notifications.statuses.${s}`) }))]} />
      </Space>
      <Table rowKey="id" size="small" loading={query.isPending} pagination={false} scroll={{ x: true }}
        dataSource={[...(page?.nodes ?? [])]} locale={emptyText(t("notifications.noDeliveries"))} columns={[
          { title: t("notifications.requested"), dataIndex: "requestedAt", render: when },
          { title: t("notifications.eventType"), dataIndex: "eventType", render: (v: string) =>
            INTERNAL.has(v) ? t(`notifications.internalTypes.${v.split(".")[1]}`) : patternTitle(v, types.data ?? []) },
          { title: t("notifications.channel"), dataIndex: "channel", render: (v: string) => t(`notifications.kinds.${v}`, v) },
          { title: t("notifications.to"), render: (_: unknown, d: Delivery) => to(d) },
          { title: t("notifications.mode"), dataIndex: "mode", render: (v: string) => t(`notifications.modes.${v}`, v) },
          { title: t("common.status"), dataIndex: "status", render: (v: string) =>
            <Tag color={TONES[v]} data-status={v}>{t(`notifications.statuses.${v}`, v)}</Tag> },
          { title: t("notifications.attempts"), dataIndex: "attempts" },
          { title: t("notifications.lastAnswer"), render: (_: unknown, d: Delivery) => <Space direction="vertical" size={0}>
            {d.lastStatus ? <Typography.Text code>{d.lastStatus}</Typography.Text> : null}
            {d.detail ? <Typography.Text type="secondary">{d.detail}</Typography.Text> : null}</Space> },
          { title: t("notifications.nextAttempt"), render: (_: unknown, d: Delivery) => d.status === "retry" || d.status === "pending" ? when(d.notBefore) : "" },
          { title: t("notifications.delivered"), dataIndex: "deliveredAt", render: when },
        ]} />
      <Pager cursor={cursor} info={page?.pageInfo} />
    </>
  );
}
