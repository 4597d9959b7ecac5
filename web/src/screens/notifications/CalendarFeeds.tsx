/** My calendar feeds: create one (its secret address shown this once, with a copy button and
 * how to subscribe in Outlook, Google and Apple calendars), see which exist and when a
 * calendar last read them, revoke one. */
import { App, Alert, Button, Card, Popconfirm, Space, Table, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql, useGqlMutation } from "../../app/data";
import { Tag } from "../../app/Tag";
import { formatDate, Problems } from "../../app/ui";
import { CalendarFeedsDocument, CreateFeedDocument, RevokeFeedDocument } from "./data";
import { emptyText } from "./parts";
import { absoluteUrl } from "./model";

function NewFeed(props: { url: string }) {
  const { t } = useTranslation();
  const url = absoluteUrl(props.url, window.location.origin);
  return (
    <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t("inbox.feedCreated")} description={<>
      <Typography.Paragraph>{t("inbox.feedUrl")}</Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: url }} data-testid="feed-url"><Typography.Text code>{url}</Typography.Text></Typography.Paragraph>
      <ul style={{ margin: 0, paddingInlineStart: 18 }}>
        <li>{t("inbox.subscribe.outlook")}</li><li>{t("inbox.subscribe.google")}</li><li>{t("inbox.subscribe.apple")}</li>
      </ul>
    </>} />
  );
}

export function CalendarFeeds() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const feeds = useGql(CalendarFeedsDocument, {});
  const create = useGqlMutation(CreateFeedDocument);
  const revoke = useGqlMutation(RevokeFeedDocument);
  const made = create.data?.createMyCalendarFeed;
  async function revokeFeed(feedId: string) {
    const result = (await revoke.mutateAsync({ feedId })).revokeMyCalendarFeed;
    if (!result.errors.length) void message.success(t("inbox.feedRevoked"));
  }
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Card size="small">
        <Typography.Paragraph>{t("inbox.feedsHelp")}</Typography.Paragraph>
        <Button type="primary" loading={create.isPending} onClick={() => create.mutate({})}>
          {t("inbox.createFeed")}</Button>
      </Card>
      <Problems error={feeds.error ?? create.error ?? revoke.error}
        errors={[...payloadErrors(made), ...payloadErrors(revoke.data?.revokeMyCalendarFeed)]} />
      {made?.url ? <NewFeed url={made.url} /> : null}
      <Table rowKey="id" size="small" loading={feeds.isPending} pagination={false} scroll={{ x: true }}
        dataSource={[...(feeds.data?.myCalendarFeeds ?? [])].reverse()} locale={emptyText(t("inbox.noFeeds"))}
        columns={[
          { title: t("common.created"), dataIndex: "createdAt", render: (v: string) => formatDate(v, i18n.language) },
          { title: t("inbox.lastUsed"), dataIndex: "lastUsedAt", render: (v: string | null) => v ? formatDate(v, i18n.language) : t("inbox.never") },
          { title: t("common.status"), dataIndex: "revokedAt", render: (v: string | null) => v
            ? <Tag>{t("inbox.revoked")} · {formatDate(v, i18n.language)}</Tag> : <Tag color="green">{t("inbox.active")}</Tag> },
          { title: t("common.actions"), render: (_: unknown, feed) => feed.revokedAt ? null : (
            <Popconfirm title={t("inbox.revokeConfirm")} onConfirm={() => revokeFeed(feed.id)}>
              <Button size="small" danger>{t("inbox.revoke")}</Button></Popconfirm>) },
        ]} />
    </Space>
  );
}
