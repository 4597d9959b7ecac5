/** The whole inbox, newest first, page by page: open an item (marked read, then followed),
 * mark one or all read, show only the unread. */
import { Button, Checkbox, Space, Table } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { inboxTarget } from "../../app/inbox";
import { useMarkMyNotificationsRead, useMyNotificationsLive, type InboxItem } from "../../app/notifications";
import { Tag } from "../../app/Tag";
import { formatDate, Pager, Problems, useCursor } from "../../app/ui";
import { useWorkspace } from "../../app/workspace";
import { useEventTypes } from "./data";
import { emptyText } from "./parts";

export function Inbox() {
  const { t, i18n } = useTranslation();
  const { tenants } = useWorkspace();
  const navigate = useNavigate();
  const cursor = useCursor();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const live = useMyNotificationsLive({ first: 25, after: cursor.after, unreadOnly });
  const mark = useMarkMyNotificationsRead();
  const types = useEventTypes();
  const kind = (name: string) => types.data?.find((e) => e.name === name)?.title ?? name;
  function open(item: InboxItem) {
    if (!item.readAt) mark.mutate([item.id]);
    const target = inboxTarget(item, tenants);
    if (target) navigate(target);
  }
  return (
    <>
      <Problems error={live.error ?? mark.error} />
      <Space style={{ marginBottom: 12 }} wrap>
        <Checkbox checked={unreadOnly} onChange={(e) => { setUnreadOnly(e.target.checked); cursor.reset(); }}>
          {t("inbox.unreadOnly")}</Checkbox>
        <Button disabled={!live.unread} loading={mark.isPending} onClick={() => mark.mutate(null)}>{t("inbox.markAll")}</Button>
      </Space>
      <Table rowKey="id" size="small" loading={live.isPending} dataSource={[...live.items]} pagination={false}
        scroll={{ x: true }} locale={emptyText(t("inbox.empty"))} columns={[
          { title: t("inbox.when"), dataIndex: "occurredAt", render: (v: string) => formatDate(v, i18n.language) },
          { title: t("inbox.what"), dataIndex: "title", render: (v: string, item) => (
            <Button type="link" style={{ padding: 0, height: "auto", whiteSpace: "normal", textAlign: "start",
              fontWeight: item.readAt ? 400 : 600 }} onClick={() => open(item)}>{v}</Button>) },
          { title: t("inbox.kind"), dataIndex: "eventType", render: (v: string) => <Tag>{kind(v)}</Tag> },
          { title: t("inbox.tenant"), dataIndex: "eventTenantId", render: (v: string) => tenants.find((x) => x.id === v)?.name ?? "" },
          { title: t("common.status"), render: (_: unknown, item) => item.readAt ? t("inbox.read")
            : <Space><Tag color="blue">{t("inbox.unread")}</Tag>
              <Button size="small" onClick={() => mark.mutate([item.id])}>{t("inbox.markRead")}</Button></Space> },
        ]} />
      <Pager cursor={cursor} info={live.pageInfo} />
    </>
  );
}
