/** The header's bell: how many of the person's notifications are unread, and the newest ones
 * in a popover (open one: marked read and followed; mark all read; the whole inbox and the
 * preferences one click away). Every signed-in person has one. */
import { BellOutlined } from "@ant-design/icons";
import { Badge, Button, List, Popover, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { inboxTarget } from "./inbox";
import { useMarkMyNotificationsRead, useMyNotificationsLive, type InboxItem } from "./notifications";
import { formatDate } from "./ui";
import { useWorkspace } from "./workspace";

const SHOWN = 8;

function Entries(props: { items: readonly InboxItem[]; onOpen: (item: InboxItem) => void }) {
  const { t, i18n } = useTranslation();
  const { tenants } = useWorkspace();
  const where = (id: string) => tenants.find((x) => x.id === id)?.name;
  if (!props.items.length) return <Typography.Text type="secondary">{t("shell.bell.empty")}</Typography.Text>;
  return (
    <List size="small" dataSource={[...props.items]} style={{ maxHeight: 420, overflowY: "auto" }}
      renderItem={(item) => (
        <List.Item style={{ cursor: "pointer", paddingInline: 4 }}>
          <Button type="link" onClick={() => props.onOpen(item)} data-unread={item.readAt ? "false" : "true"}
            style={{ padding: 0, height: "auto", whiteSpace: "normal", textAlign: "start", fontWeight: item.readAt ? 400 : 600 }}>
            <span>{item.title}
              <Typography.Text type="secondary" style={{ display: "block", fontSize: 12, fontWeight: 400 }}>
                {[where(item.eventTenantId), formatDate(item.occurredAt, i18n.language), item.readAt ? null : t("inbox.unread")]
                  .filter(Boolean).join(" · ")}</Typography.Text>
            </span>
          </Button>
        </List.Item>)} />
  );
}

export function Bell() {
  const { t } = useTranslation();
  const { tenant, tenants } = useWorkspace();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const live = useMyNotificationsLive({ first: SHOWN });
  const mark = useMarkMyNotificationsRead();
  const base = `/t/${tenant.slug}/me`;
  function openItem(item: InboxItem) {
    if (!item.readAt) mark.mutate([item.id]);
    setOpen(false);
    const target = inboxTarget(item, tenants);
    if (target) navigate(target);
  }
  const content = (
    <div style={{ width: 340, maxWidth: "80vw" }}>
      <Entries items={live.items} onOpen={openItem} />
      <Space style={{ marginTop: 8, justifyContent: "space-between", width: "100%" }} wrap>
        <Button size="small" disabled={!live.unread} loading={mark.isPending} onClick={() => mark.mutate(null)}>
          {t("shell.bell.markAll")}</Button>
        <Space>
          <Link to={`${base}/inbox`} onClick={() => setOpen(false)}>{t("shell.bell.all")}</Link>
          <Link to={`${base}/preferences`} onClick={() => setOpen(false)}>{t("shell.bell.preferences")}</Link>
        </Space>
      </Space>
    </div>
  );
  const label = live.unread ? t("shell.bell.unread", { count: live.unread }) : t("shell.bell.label");
  return (
    <Popover open={open} onOpenChange={setOpen} trigger="click" placement="bottomRight" content={content}
      title={t("shell.bell.title")}>
      <Badge count={live.unread} overflowCount={99} size="small">
        <Button aria-label={label} data-testid="bell" data-unread={live.unread} icon={<BellOutlined />} />
      </Badge>
    </Popover>
  );
}
