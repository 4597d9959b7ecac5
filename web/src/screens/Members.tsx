/** Members & access: who holds which role here, invitations (the link shown when e-mail could not
 * go), and the policy rules in effect with where they come from. */
import { App, Card, Form, Input, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql, useGqlMutation } from "../app/data";
import { formatDate, GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";

const MembersDocument = graphql(`
  query Members($tenantId: ID!, $invitations: Boolean!, $policies: Boolean!) {
    members(tenantId: $tenantId, first: 100) { nodes { id userId email displayName role createdAt } }
    invitations(tenantId: $tenantId, first: 100) @include(if: $invitations) {
      nodes { id email role status invitedBy delivered createdAt expiresAt }
    }
    policies(tenantId: $tenantId, first: 100) @include(if: $policies) {
      nodes { id subject object action effect origin appliesToSubsidiaries active }
    }
  }
`);

const InviteDocument = graphql(`
  mutation Invite($tenantId: ID!, $email: String!, $role: String!, $displayName: String) {
    inviteMember(tenantId: $tenantId, email: $email, role: $role, displayName: $displayName) {
      invitation { id } link errors { code message field }
    }
  }
`);

const RevokeDocument = graphql(`
  mutation RevokeInvitation($tenantId: ID!, $id: ID!) {
    revokeInvitation(tenantId: $tenantId, invitationId: $id) { invitation { id status } errors { code message } }
  }
`);

const ROLES = ["tenant_admin", "ip_manager", "contributor", "reviewer", "auditor", "viewer"];

function InviteForm() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const invite = useGqlMutation(InviteDocument);
  const [form] = Form.useForm();
  const allowed = access.can("ipgov:member", "create");
  const payload = invite.data?.inviteMember;
  async function submit(values: { email: string; role: string; displayName?: string }) {
    const result = (await invite.mutateAsync({ tenantId: tenant.id, email: values.email, role: values.role,
      displayName: values.displayName || null })).inviteMember;
    if (!result.errors.length) {
      form.resetFields();
      void message.success(t("members.invited"));
    }
  }
  return (
    <Card size="small" title={t("members.invite")}>
      <Problems error={invite.error} errors={payloadErrors(payload)} />
      {payload?.link ? <Typography.Paragraph copyable={{ text: payload.link }} data-testid="invitation-link">
        {t("members.link")}: <Typography.Text code>{payload.link}</Typography.Text></Typography.Paragraph> : null}
      <Form form={form} layout="inline" onFinish={submit} disabled={!allowed} style={{ rowGap: 8 }}>
        <Form.Item name="email" label={t("members.email")} rules={[{ required: true, type: "email" }]}><Input /></Form.Item>
        <Form.Item name="displayName" label={t("members.displayName")}><Input /></Form.Item>
        <Form.Item name="role" label={t("members.role")} rules={[{ required: true }]} initialValue="contributor">
          <Select style={{ minWidth: 160 }} options={ROLES.map((r) => ({ value: r, label: r }))} />
        </Form.Item>
        <GatedButton type="primary" htmlType="submit" allowed={allowed} loading={invite.isPending}>{t("members.invite")}</GatedButton>
      </Form>
    </Card>
  );
}

export function Members() {
  const { t, i18n } = useTranslation();
  const { tenant, access } = useWorkspace();
  const query = useGql(MembersDocument, { tenantId: tenant.id, invitations: access.can("ipgov:member", "read"),
    policies: access.can("ipgov:policy", "read") });
  const revoke = useGqlMutation(RevokeDocument);
  const canInvite = access.can("ipgov:member", "create");
  return (
    <>
      <PageTitle>{t("members.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error ?? revoke.error} errors={payloadErrors(revoke.data?.revokeInvitation)} />
      <Tabs items={[
        { key: "m", label: t("members.members"), children: <Space direction="vertical" style={{ width: "100%" }}>
          <InviteForm />
          <Table rowKey="id" size="small" loading={query.isPending} dataSource={[...(query.data?.members.nodes ?? [])]}
            scroll={{ x: true }} columns={[
              { title: t("members.displayName"), dataIndex: "displayName" },
              { title: t("members.email"), dataIndex: "email" },
              { title: t("members.role"), dataIndex: "role", render: (v: string) => <Tag>{v}</Tag> },
              { title: t("common.created"), dataIndex: "createdAt", render: (v: string) => formatDate(v, i18n.language) },
            ]} /></Space> },
        { key: "i", label: t("members.invitations"), children: <Table rowKey="id" size="small"
          dataSource={[...(query.data?.invitations?.nodes ?? [])]} scroll={{ x: true }} columns={[
            { title: t("members.email"), dataIndex: "email" },
            { title: t("members.role"), dataIndex: "role" },
            { title: t("members.state"), dataIndex: "status", render: (v: string) => <Tag>{v}</Tag> },
            { title: t("members.expires"), dataIndex: "expiresAt", render: (v: string) => formatDate(v, i18n.language) },
            { title: t("common.actions"), render: (_: unknown, inv) => inv.status === "open" ? <GatedButton size="small"
              allowed={canInvite} onClick={() => revoke.mutate({ tenantId: tenant.id, id: inv.id })}>{t("members.revoke")}</GatedButton> : null },
          ]} /> },
        { key: "p", label: t("members.policies"), children: <Table rowKey="id" size="small"
          dataSource={[...(query.data?.policies?.nodes ?? [])]} scroll={{ x: true }} pagination={{ pageSize: 50 }} columns={[
            { title: t("members.subject"), dataIndex: "subject" },
            { title: t("members.object"), dataIndex: "object" },
            { title: t("members.action"), dataIndex: "action" },
            { title: t("members.effect"), dataIndex: "effect", render: (v: string) => <Tag color={v === "deny" ? "red" : "green"}>{v}</Tag> },
            { title: "origin", dataIndex: "origin" },
          ]} /> },
      ]} />
    </>
  );
}
