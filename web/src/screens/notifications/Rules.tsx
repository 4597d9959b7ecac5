/** The tenant's rules: which events (by type, a namespace or all; from a minimum severity;
 * the subsidiaries' too where the governance mode lets a group see them) reach whom (members
 * by role, holders of a RACI role, named members) and which destinations. Create, edit and
 * remove; every field the server refuses is shown at that field. */
import { Button, Checkbox, Form, Input, Modal, Select, Space, Switch, Table, Tooltip, App } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql } from "../../app/data";
import { Tag } from "../../app/Tag";
import { Problems } from "../../app/ui";
import { useWorkspace } from "../../app/workspace";
import type { NotificationRulesQuery, RuleInput } from "../../gql/graphql";
import { RemoveRuleDocument, RulesDocument, SaveRuleDocument, useEventTypes } from "./data";
import { byField, eventTypeChoices, patternTitle, subtreeChoice, type EventTypeInfo } from "./model";
import { emptyText, FieldItem, ManageButton, useManage, useTabMutation } from "./parts";

const ROLES = ["group_admin", "tenant_admin", "ip_manager", "reviewer", "contributor", "viewer", "auditor"];
const SEVERITIES = ["info", "low", "medium", "high", "critical"];

type Rule = NotificationRulesQuery["notificationRules"]["nodes"][number];
type Data = NotificationRulesQuery;
type Values = Omit<RuleInput, "minSeverity"> & { minSeverity?: string | null };

function toValues(rule: Rule | null): Values {
  if (!rule) return { name: "", eventTypes: [], roles: [], raciRoles: [], userIds: [], destinationIds: [], includeSubsidiaries: false, enabled: true };
  const { name, eventTypes, minSeverity, includeSubsidiaries, roles, raciRoles, userIds, destinationIds, enabled } = rule;
  return { name, eventTypes: [...eventTypes], minSeverity, includeSubsidiaries, roles: [...roles], raciRoles: [...raciRoles],
    userIds: [...userIds], destinationIds: [...destinationIds], enabled };
}

function RuleForm(props: { rule: Rule | null; open: boolean; onClose: () => void; data?: Data; types: readonly EventTypeInfo[] }) {
  const { t } = useTranslation();
  const { tenant, tenants } = useWorkspace();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useTabMutation(SaveRuleDocument);
  const subtree = subtreeChoice(tenant, tenants);
  const { fields, other } = byField(payloadErrors(save.data?.saveNotificationRule));
  const { rule, open } = props;
  useEffect(() => {
    if (!open) return;
    save.reset();
    form.resetFields();
    form.setFieldsValue(toValues(rule));
  }, [open, rule]); // the form and the mutation are stable
  async function submit() {
    const values = await form.validateFields();
    const input: RuleInput = { ...values, name: values.name.trim(), minSeverity: values.minSeverity || null,
      includeSubsidiaries: subtree.allowed && Boolean(values.includeSubsidiaries) };
    const result = (await save.mutateAsync({ tenantId: tenant.id, rule: input, ruleId: rule?.id ?? null })).saveNotificationRule;
    if (result.errors.length) return;
    void message.success(t("notifications.ruleSaved"));
    props.onClose();
  }
  const choices = eventTypeChoices(props.types).map((c) => ({ value: c.value,
    label: c.value === "*" ? `${t("notifications.allTypes")} (*)` : c.title }));
  const members = props.data?.members?.nodes ?? [];
  return (
    <Modal open={open} onCancel={props.onClose} onOk={() => void submit()} confirmLoading={save.isPending} width={720}
      title={rule ? `${t("notifications.editRule")} · ${rule.name}` : t("notifications.addRule")} okText={t("common.save")} destroyOnHidden>
      <Problems error={save.error} errors={other} />
      <Form form={form} layout="vertical" requiredMark={false}>
        <FieldItem name="name" field="name" errors={fields} label={t("notifications.name")} rules={[{ required: true }]}><Input /></FieldItem>
        <FieldItem name="eventTypes" field="eventTypes" errors={fields} label={t("notifications.eventTypes")} rules={[{ required: true }]}>
          <Select mode="multiple" options={choices} optionFilterProp="label" /></FieldItem>
        <Space wrap size="large" align="start">
          <FieldItem name="minSeverity" field="minSeverity" errors={fields} label={t("notifications.minSeverity")}>
            <Select allowClear placeholder={t("notifications.anySeverity")} style={{ width: 180 }}
              options={SEVERITIES.map((s) => ({ value: s, label: t(`notifications.severities.${s}`) }))} /></FieldItem>
          {subtree.allowed ? <Form.Item name="includeSubsidiaries" valuePropName="checked" style={{ paddingTop: 30 }}>
            <Checkbox>{t("notifications.subtree")}</Checkbox></Form.Item>
            : <Form.Item style={{ paddingTop: 30 }}><Tooltip title={t(`notifications.subtreeWhy.${subtree.reason}`)}>
              <Checkbox disabled aria-disabled="true">{t("notifications.subtree")}</Checkbox></Tooltip></Form.Item>}
          <Form.Item name="enabled" valuePropName="checked" label={t("notifications.enabled")}><Switch /></Form.Item>
        </Space>
        <FieldItem name="roles" field="roles" errors={fields} label={t("notifications.roles")}>
          <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: r }))} /></FieldItem>
        <FieldItem name="raciRoles" field="raciRoles" errors={fields} label={t("notifications.raci")} extra={t("notifications.raciHelp")}>
          <Select mode="tags" open={false} tokenSeparators={[",", " "]} /></FieldItem>
        <FieldItem name="userIds" field="userIds" errors={fields} label={t("notifications.users")}>
          <Select mode="multiple" optionFilterProp="label" disabled={!props.data?.members}
            options={members.map((m) => ({ value: m.userId, label: `${m.displayName} (${m.email})` }))} /></FieldItem>
        <FieldItem name="destinationIds" field="destinationIds" errors={fields} label={t("notifications.channels")}>
          <Select mode="multiple" optionFilterProp="label"
            options={(props.data?.notificationDestinations.nodes ?? []).map((d) => ({ value: d.id, label: `${d.name} · ${t(`notifications.kinds.${d.kind}`, d.kind)}` }))} />
        </FieldItem>
      </Form>
    </Modal>
  );
}

function Recipients(props: { rule: Rule; data?: Data }) {
  const names = new Map((props.data?.members?.nodes ?? []).map((m) => [m.userId, m.displayName]));
  return <Space wrap size={[4, 4]}>
    {props.rule.roles.map((r) => <Tag key={r} color="blue">{r}</Tag>)}
    {props.rule.raciRoles.map((r) => <Tag key={r} color="purple">{r}</Tag>)}
    {props.rule.userIds.map((u) => <Tag key={u}>{names.get(u) ?? u}</Tag>)}
  </Space>;
}

export function Rules() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const manage = useManage();
  const query = useGql(RulesDocument, { tenantId: tenant.id, members: access.can("ipgov:member", "read") });
  const types = useEventTypes();
  const remove = useTabMutation(RemoveRuleDocument);
  const [editing, setEditing] = useState<{ rule: Rule | null } | null>(null);
  const known = types.data ?? [];
  const destinations = new Map((query.data?.notificationDestinations.nodes ?? []).map((d) => [d.id, d.name]));
  return (
    <>
      <Problems error={query.error ?? types.error ?? remove.error} errors={payloadErrors(remove.data?.removeNotificationRule)} />
      <ManageButton type="primary" style={{ marginBottom: 12 }} onClick={() => setEditing({ rule: null })}>
        {t("notifications.addRule")}</ManageButton>
      <Table rowKey="id" size="small" loading={query.isPending} pagination={false} scroll={{ x: true }}
        dataSource={[...(query.data?.notificationRules.nodes ?? [])].sort((a, b) => a.name.localeCompare(b.name))}
        locale={emptyText(t("notifications.noRules"))} columns={[
          { title: t("notifications.name"), dataIndex: "name", render: (v: string, r: Rule) => <Space>{v}
            {r.enabled ? null : <Tag>{t("notifications.disabled")}</Tag>}</Space> },
          { title: t("notifications.eventTypes"), dataIndex: "eventTypes", render: (v: string[]) => <Space wrap size={[4, 4]}>
            {v.map((p) => <Tag key={p}>{p === "*" ? t("notifications.allTypes") : patternTitle(p, known)}</Tag>)}</Space> },
          { title: t("notifications.minSeverity"), dataIndex: "minSeverity", render: (v: string | null) =>
            v ? t(`notifications.severities.${v}`, v) : t("notifications.anySeverity") },
          { title: t("notifications.recipients"), render: (_: unknown, r: Rule) => <Recipients rule={r} data={query.data} /> },
          { title: t("notifications.channels"), dataIndex: "destinationIds", render: (v: string[]) => v.map((d) => destinations.get(d) ?? d).join(", ") },
          { title: t("notifications.subtree"), dataIndex: "includeSubsidiaries", render: (v: boolean) => v ? t("common.yes") : t("common.no") },
          { title: t("common.actions"), render: (_: unknown, r: Rule) => <Space>
            {manage.allowed ? <Button size="small" onClick={() => setEditing({ rule: r })}>{t("notifications.edit")}</Button>
              : <ManageButton size="small">{t("notifications.edit")}</ManageButton>}
            <ManageButton size="small" danger confirm={t("notifications.removeRuleConfirm")}
              onConfirm={() => remove.mutate({ tenantId: tenant.id, ruleId: r.id })}>{t("notifications.remove")}</ManageButton>
          </Space> },
        ]} />
      <RuleForm open={Boolean(editing)} rule={editing?.rule ?? null} onClose={() => setEditing(null)} data={query.data} types={known} />
    </>
  );
}
