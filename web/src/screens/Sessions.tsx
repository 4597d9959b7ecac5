/** Sign-in sessions: my own (where and since when I am signed in; end one I do not recognise),
 * and a member's, for their administrator (end one or all; the server refuses a member who holds
 * more than the administrator, and says why). */
import { App, Button, Modal, Popconfirm, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Tag } from "../app/Tag";
import { payloadErrors, useGql, useGqlMutation } from "../app/data";
import { formatDate, GatedButton, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";

const MySessionsDocument = graphql(`
  query MySessions { mySessions { id client startedAt lastActiveAt expiresAt current } }
`);

const EndMineDocument = graphql(`
  mutation EndMySession($id: ID!) { endMySession(sessionId: $id) { ended errors { code message field } } }
`);

const MemberSessionsDocument = graphql(`
  query MemberSessions($tenantId: ID!, $userId: ID!) {
    memberSessions(tenantId: $tenantId, userId: $userId) { id client startedAt lastActiveAt expiresAt current }
  }
`);

const EndMemberDocument = graphql(`
  mutation EndMemberSessions($tenantId: ID!, $userId: ID!, $sessionId: ID) {
    endMemberSessions(tenantId: $tenantId, userId: $userId, sessionId: $sessionId) { ended errors { code message field } }
  }
`);

interface Row { id: string; client: string; startedAt: string; lastActiveAt: string; expiresAt: string; current: boolean }

function SessionTable(props: { rows: readonly Row[]; loading: boolean; end?: (row: Row) => void; allowed: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <Table<Row> rowKey="id" size="small" loading={props.loading} dataSource={[...props.rows]} scroll={{ x: true }}
      locale={{ emptyText: t("sessions.none") }} pagination={false} columns={[
        { title: t("sessions.client"), dataIndex: "client", render: (v: string, r) => <Space>{v || "—"}
          {r.current ? <Tag color="blue">{t("sessions.current")}</Tag> : null}</Space> },
        { title: t("sessions.started"), dataIndex: "startedAt", render: (v: string) => formatDate(v, i18n.language) },
        { title: t("sessions.lastActive"), dataIndex: "lastActiveAt", render: (v: string) => formatDate(v, i18n.language) },
        { title: t("sessions.expires"), dataIndex: "expiresAt", render: (v: string) => formatDate(v, i18n.language) },
        { title: t("common.actions"), render: (_: unknown, r) => r.current || !props.end ? null : (
          <Popconfirm title={t("sessions.endConfirm")} onConfirm={() => props.end!(r)}>
            <GatedButton size="small" danger allowed={props.allowed}>{t("sessions.end")}</GatedButton>
          </Popconfirm>) },
      ]} />
  );
}

/** The signed-in person's own sessions. */
export function MySessions() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const query = useGql(MySessionsDocument, {});
  const end = useGqlMutation(EndMineDocument);
  async function finish(row: Row) {
    const result = (await end.mutateAsync({ id: row.id })).endMySession;
    if (!result.errors.length) void message.success(t("sessions.ended"));
  }
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("sessions.mine")}</Typography.Paragraph>
      <Problems error={query.error ?? end.error} errors={payloadErrors(end.data?.endMySession)} />
      <SessionTable rows={query.data?.mySessions ?? []} loading={query.isPending} end={(r) => void finish(r)} allowed />
    </Space>
  );
}

/** A member's sessions in a dialog opened from the members list. */
export function MemberSessionsButton(props: { userId: string; name: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>{t("sessions.title")}</Button>
      {open ? <MemberSessions {...props} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function MemberSessions(props: { userId: string; name: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { tenant, access } = useWorkspace();
  const variables = { tenantId: tenant.id, userId: props.userId };
  const query = useGql(MemberSessionsDocument, variables);
  const end = useGqlMutation(EndMemberDocument);
  const allowed = access.can("ipgov:member", "delete");
  async function finish(sessionId: string | null) {
    const result = (await end.mutateAsync({ ...variables, sessionId })).endMemberSessions;
    if (!result.errors.length) void message.success(t("sessions.endedCount", { count: result.ended }));
  }
  const rows = query.data?.memberSessions ?? [];
  return (
    <Modal open title={`${t("sessions.title")} · ${props.name}`} onCancel={props.onClose} width={860}
      footer={<Space>
        <Popconfirm title={t("sessions.endAllConfirm")} onConfirm={() => void finish(null)}>
          <GatedButton danger allowed={allowed} disabled={!rows.length}>{t("sessions.endAll")}</GatedButton>
        </Popconfirm>
        <Button onClick={props.onClose}>{t("common.close")}</Button>
      </Space>}>
      <Problems error={query.error ?? end.error} errors={payloadErrors(end.data?.endMemberSessions)} />
      <SessionTable rows={rows} loading={query.isPending} end={(r) => void finish(r.id)} allowed={allowed} />
    </Modal>
  );
}
