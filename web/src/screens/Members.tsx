/** Members & access: who holds which role here, invitations (the link shown when e-mail could not
 * go), and the policy rules in effect with where they come from. */
import { App, AutoComplete, Card, Checkbox, Form, Input, Select, Space, Table, Tabs, Typography } from "antd";
import { Tag } from "../app/Tag";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql, useGqlMutation } from "../app/data";
import { formatDate, GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";
import { ResetSecondFactorsButton, SecondFactorPolicy } from "./Security";
import { MemberSessionsButton } from "./Sessions";

const MembersDocument = graphql(`
  query Members($tenantId: ID!, $invitations: Boolean!, $policies: Boolean!) {
    members(tenantId: $tenantId, first: 100) { nodes { id userId email displayName role createdAt } }
    invitations(tenantId: $tenantId, first: 100) @include(if: $invitations) {
      nodes { id email role status invitedBy invitedByActor { name } delivered createdAt expiresAt }
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

const AddPolicyDocument = graphql(`
  mutation AddPolicy($tenantId: ID!, $subject: String!, $object: String!, $action: String!, $effect: String!, $subtree: Boolean!) {
    addPolicy(tenantId: $tenantId, subject: $subject, object: $object, action: $action, effect: $effect, applyToSubsidiaries: $subtree) {
      rule { id } errors { code message field }
    }
  }
`);

const RemovePolicyDocument = graphql(`
  mutation RemovePolicy($tenantId: ID!, $id: ID!) { removePolicy(tenantId: $tenantId, ruleId: $id) { rule { id } errors { code message field } } }
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

function PolicyForm(props: { objects: string[] }) {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const add = useGqlMutation(AddPolicyDocument);
  const [form] = Form.useForm();
  const allowed = access.can("ipgov:policy", "update");
  async function submit(values: { subject: string; object: string; action: string; effect: string; subtree?: boolean }) {
    const result = (await add.mutateAsync({ tenantId: tenant.id, subject: values.subject, object: values.object.trim(),
      action: values.action.trim(), effect: values.effect, subtree: Boolean(values.subtree) })).addPolicy;
    if (!result.errors.length) { form.resetFields(); void message.success(t("members.ruleAdded")); }
  }
  return (
    <Card size="small" title={t("members.addRule")}>
      <Problems error={add.error} errors={payloadErrors(add.data?.addPolicy)} />
      <Form form={form} layout="inline" onFinish={submit} disabled={!allowed} style={{ rowGap: 8 }}
        initialValues={{ effect: "allow", subject: "contributor" }}>
        <Form.Item name="subject" label={t("members.subject")} rules={[{ required: true }]}>
          <Select style={{ minWidth: 140 }} options={ROLES.map((r) => ({ value: r, label: r }))} /></Form.Item>
        <Form.Item name="object" label={t("members.object")} rules={[{ required: true }]}>
          <AutoComplete style={{ minWidth: 240 }} options={props.objects.map((o) => ({ value: o }))}
            filterOption={(input, option) => String(option?.value ?? "").includes(input)} /></Form.Item>
        <Form.Item name="action" label={t("members.action")} rules={[{ required: true }]}><Input style={{ width: 120 }} /></Form.Item>
        <Form.Item name="effect" label={t("members.effect")}>
          <Select style={{ width: 100 }} options={[{ value: "allow", label: "allow" }, { value: "deny", label: "deny" }]} /></Form.Item>
        <Form.Item name="subtree" valuePropName="checked"><Checkbox>{t("plugins.subtree")}</Checkbox></Form.Item>
        <GatedButton type="primary" htmlType="submit" allowed={allowed} loading={add.isPending}>{t("members.addRule")}</GatedButton>
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
  const remove = useGqlMutation(RemovePolicyDocument);
  const canPolicy = access.can("ipgov:policy", "update");
  const objects = [...new Set((query.data?.policies?.nodes ?? []).map((p) => p.object))].sort();
  const canInvite = access.can("ipgov:member", "create");
  const permissions = [...new Set((query.data?.policies?.nodes ?? []).map((p) => `${p.object}:${p.action}`))].sort();
  const isGroup = tenant.parentId == null;
  return (
    <>
      <PageTitle>{t("members.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error ?? revoke.error ?? remove.error}
        errors={[...payloadErrors(revoke.data?.revokeInvitation), ...payloadErrors(remove.data?.removePolicy)]} />
      <Tabs items={[
        { key: "m", label: t("members.members"), children: <Space direction="vertical" style={{ width: "100%" }}>
          <InviteForm />
          <Table rowKey="id" size="small" loading={query.isPending} dataSource={[...(query.data?.members.nodes ?? [])]}
            scroll={{ x: true }} columns={[
              { title: t("members.displayName"), dataIndex: "displayName" },
              { title: t("members.email"), dataIndex: "email" },
              { title: t("members.role"), dataIndex: "role", render: (v: string) => <Tag>{v}</Tag> },
              { title: t("common.created"), dataIndex: "createdAt", render: (v: string) => formatDate(v, i18n.language) },
              { title: t("common.actions"), render: (_: unknown, m) => access.can("ipgov:member", "read")
                ? <Space><MemberSessionsButton userId={m.userId} name={m.displayName || m.email} />
                  <ResetSecondFactorsButton tenantId={tenant.id} userId={m.userId}
                    allowed={access.can("ipgov:member", "delete")} /></Space> : null },
            ]} /></Space> },
        { key: "i", label: t("members.invitations"), children: <Table rowKey="id" size="small"
          dataSource={[...(query.data?.invitations?.nodes ?? [])]} scroll={{ x: true }} columns={[
            { title: t("members.email"), dataIndex: "email" },
            { title: t("members.role"), dataIndex: "role" },
            { title: t("members.state"), dataIndex: "status", render: (v: string) => <Tag>{v}</Tag> },
            { title: t("members.invitedBy"), render: (_: unknown, inv) => inv.invitedByActor?.name ?? inv.invitedBy },
            { title: t("members.expires"), dataIndex: "expiresAt", render: (v: string) => formatDate(v, i18n.language) },
            { title: t("common.actions"), render: (_: unknown, inv) => inv.status === "open" ? <GatedButton size="small"
              allowed={canInvite} onClick={() => revoke.mutate({ tenantId: tenant.id, id: inv.id })}>{t("members.revoke")}</GatedButton> : null },
          ]} /> },
        { key: "p", label: t("members.policies"), children: <Space direction="vertical" style={{ width: "100%" }}>
          <PolicyForm objects={objects} /><Table rowKey="id" size="small"
          dataSource={[...(query.data?.policies?.nodes ?? [])]} scroll={{ x: true }} pagination={{ pageSize: 50 }} columns={[
            { title: t("members.subject"), dataIndex: "subject" },
            { title: t("members.object"), dataIndex: "object" },
            { title: t("members.action"), dataIndex: "action" },
            { title: t("members.effect"), dataIndex: "effect", render: (v: string) => <Tag color={v === "deny" ? "red" : "green"}>{v}</Tag> },
            { title: t("members.origin"), dataIndex: "origin", render: (v: string, r) => <Space>{v}
              {r.appliesToSubsidiaries ? <Tag color="blue">{t("plugins.forSubtree")}</Tag> : null}</Space> },
            { title: t("common.actions"), render: (_: unknown, r) => r.origin === "local" || r.origin === "group-admin" ? (
              <GatedButton size="small" allowed={canPolicy} onClick={() => remove.mutate({ tenantId: tenant.id, id: r.id })}>
                {t("members.removeRule")}</GatedButton>) : null },
          ]} /></Space> },
        ...(isGroup && access.can("ipgov:tenant", "read") ? [{ key: "f", label: t("security.policy.title"), children:
          <SecondFactorPolicy groupId={tenant.id} roles={["group_admin", ...ROLES]} permissions={permissions}
            allowed={access.can("ipgov:tenant", "update")} /> }] : []),
      ]} />
    </>
  );
}
