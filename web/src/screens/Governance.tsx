/** Governance: the group tree, the governance mode with a preview of what a change would do
 * before it is applied, onboarding a subsidiary, and escalations awaiting this tenant. */
import { Alert, App, Card, Col, Descriptions, Empty, Form, Input, List, Radio, Row, Select, Space, Tree, Typography } from "antd";
import { Tag } from "../app/Tag";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useQueryClient } from "@tanstack/react-query";
import { payloadErrors, useGql, useGqlMutation } from "../app/data";
import { GatedButton, PageTitle, Problems } from "../app/ui";
import { tenantForest, useWorkspace, type TenantTree } from "../app/workspace";
import { graphql } from "../gql";
import type { GovernanceModeEnum, PreviewModeQuery } from "../gql/graphql";

const PreviewDocument = graphql(`
  query PreviewMode($tenantId: ID!, $mode: GovernanceModeEnum!) {
    previewGovernanceMode(tenantId: $tenantId, mode: $mode) {
      slug fromMode toMode rulesCopied rulesRemoved localRulesOn localRulesOff supervisionKept
      tenants { tenantId slug pluginsEnabled pluginsDisabled
        changes { roles memberCount gained { object action } lost { object action } } }
    }
  }
`);

const SetModeDocument = graphql(`
  mutation SetMode($tenantId: ID!, $mode: GovernanceModeEnum!) {
    setGovernanceMode(tenantId: $tenantId, mode: $mode) { tenant { id governanceMode } errors { code message field } }
  }
`);

const OnboardDocument = graphql(`
  mutation Onboard($input: OnboardSubsidiaryInput!) {
    onboardSubsidiary(input: $input) { tenant { id slug } errors { code message field } }
  }
`);

const EscalationsDocument = graphql(`
  query Escalations($tenantId: ID!) {
    escalations(tenantId: $tenantId, status: "pending", first: 50) {
      nodes { id subject decisionType requestedBy requestedByActor { name } createdAt fromTenantId }
    }
  }
`);

const DecideDocument = graphql(`
  mutation Decide($tenantId: ID!, $id: ID!, $approve: Boolean!, $note: String!) {
    decideEscalation(tenantId: $tenantId, escalationId: $id, approve: $approve, note: $note) {
      escalation { id status } errors { code message field }
    }
  }
`);

const PreviewAbsorptionDocument = graphql(`
  query PreviewAbsorption($keep: ID!, $gone: ID!) {
    previewAbsorption(absorbingId: $keep, absorbedId: $gone) { ...MergerPreviewFields }
  }
  fragment MergerPreviewFields on MergerPreview {
    kind supervisionKept counts { item count }
    tenants { tenantId slug pluginsEnabled pluginsDisabled
      changes { roles memberCount gained { object action } lost { object action } } }
  }
`);

const PreviewParallelDocument = graphql(`
  query PreviewParallel($parent: ID!, $acquired: ID!) {
    previewParallelReporting(parentId: $parent, acquiredId: $acquired) { ...MergerPreviewFields }
  }
`);

const AbsorbDocument = graphql(`
  mutation Absorb($keep: ID!, $gone: ID!) { absorbTenant(absorbingId: $keep, absorbedId: $gone) { tenant { id } errors { code message field } } }
`);

const ParallelDocument = graphql(`
  mutation Parallel($parent: ID!, $acquired: ID!) { joinParallelReporting(parentId: $parent, acquiredId: $acquired) { tenant { id } errors { code message field } } }
`);

const AssistantPolicyDocument = graphql(`
  query AssistantPolicy($tenantId: ID!) { assistantPolicy(tenantId: $tenantId) { setting writesAllowed decidedBy } }
`);

const SetAssistantWritesDocument = graphql(`
  mutation SetAssistantWrites($tenantId: ID!, $allowed: Boolean) {
    setAssistantWrites(tenantId: $tenantId, allowed: $allowed) {
      policy { setting writesAllowed decidedBy } errors { code message field }
    }
  }
`);

const MODES: GovernanceModeEnum[] = ["CENTRALIZED", "HYBRID", "DECENTRALIZED"];

/** Whether AI assistants (ipgov mcp, /mcp) may change records here: allowed, refused (for this
 * tenant and every one below), or as the tenant above decides. */
function AssistantCard() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const client = useQueryClient();
  const query = useGql(AssistantPolicyDocument, { tenantId: tenant.id });
  const save = useGqlMutation(SetAssistantWritesDocument);
  const policy = query.data?.assistantPolicy;
  const allowed = access.can("ipgov:tenant", "update");
  const value = policy?.setting === true ? "on" : policy?.setting === false ? "off" : "inherit";
  async function choose(next: string) {
    const result = (await save.mutateAsync({ tenantId: tenant.id,
      allowed: next === "on" ? true : next === "off" ? false : null })).setAssistantWrites;
    if (!result.errors.length) {
      void message.success(t("governance.assistant.saved"));
      await client.invalidateQueries({ queryKey: ["AssistantPolicy"] });
      await query.refetch();
    }
  }
  return (
    <Card title={t("governance.assistant.title")} size="small">
      <Typography.Paragraph type="secondary">{t("governance.assistant.help")}</Typography.Paragraph>
      <Problems error={query.error ?? save.error} errors={payloadErrors(save.data?.setAssistantWrites)} />
      <Radio.Group value={value} disabled={!allowed || !policy} onChange={(e) => void choose(e.target.value)}
        aria-label={t("governance.assistant.title")}>
        <Space direction="vertical">
          <Radio value="inherit">{t("governance.assistant.inherit")}</Radio>
          <Radio value="on">{t("governance.assistant.on")}</Radio>
          <Radio value="off">{t("governance.assistant.off")}</Radio>
        </Space>
      </Radio.Group>
      {policy ? <Alert style={{ marginTop: 12 }} showIcon type={policy.writesAllowed ? "info" : "warning"}
        message={policy.writesAllowed ? t("governance.assistant.inEffectOn")
          : t("governance.assistant.inEffectOff", { tenant: policy.decidedBy ?? tenant.slug })} /> : null}
    </Card>
  );
}

function treeNodes(nodes: TenantTree[], label: (mode: string) => string): { key: string; title: React.ReactNode; children: unknown[] }[] {
  return nodes.map((n) => ({ key: n.tenant.id, title: <Space size={4}>{n.tenant.name}
    <Tag>{label(n.tenant.governanceMode)}</Tag>{n.tenant.status !== "active" ? <Tag color="orange">{n.tenant.status}</Tag> : null}</Space>,
    children: treeNodes(n.children, label) }));
}

/** Rights gained or lost: every one of them, folded after two lines (click to unfold). */
function Rights(props: { kind: "success" | "danger"; label: string; rights: readonly { object: string; action: string }[] }) {
  if (!props.rights.length) return null;
  return (
    <Typography.Paragraph type={props.kind} style={{ margin: 0 }} ellipsis={{ rows: 2, expandable: true }}>
      {props.label} {props.rights.length}: {props.rights.map((p) => `${p.object} ${p.action}`).join(", ")}
    </Typography.Paragraph>
  );
}

function Effect(props: { effect: PreviewModeQuery["previewGovernanceMode"]; brief?: boolean }) {
  const { t } = useTranslation();
  const e = props.effect;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid={props.brief ? undefined : "mode-preview"}>
      {props.brief ? null : <Descriptions size="small" column={{ xs: 1, md: 3 }} items={[
        { key: "c", label: t("governance.rulesCopied"), children: e.rulesCopied },
        { key: "r", label: t("governance.rulesRemoved"), children: e.rulesRemoved },
        { key: "s", label: t("governance.supervisionKept"), children: e.supervisionKept ? t("common.yes") : t("common.no") },
      ]} />}
      <List size="small" bordered dataSource={[...e.tenants]} locale={{ emptyText: t("governance.noneBelow") }} renderItem={(tenant) => (
        <List.Item><Space direction="vertical" size={2}>
          <Typography.Text strong>{tenant.slug}</Typography.Text>
          {tenant.pluginsEnabled.length ? <span>{t("governance.pluginsOn")}: {tenant.pluginsEnabled.join(", ")}</span> : null}
          {tenant.pluginsDisabled.length ? <span>{t("governance.pluginsOff")}: {tenant.pluginsDisabled.join(", ")}</span> : null}
          {tenant.changes.length ? tenant.changes.map((c, i) => <span key={i}>
            <Tag>{c.roles.join(", ")}</Tag> ({c.memberCount})
            <Rights kind="success" label={t("governance.gained")} rights={c.gained} />
            <Rights kind="danger" label={t("governance.lost")} rights={c.lost} />
          </span>) : <Typography.Text type="secondary">{t("governance.noChange")}</Typography.Text>}
        </Space></List.Item>)} />
    </Space>
  );
}

function MergerCard() {
  const { t } = useTranslation();
  const { tenant, tenants, access } = useWorkspace();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [kind, setKind] = useState<"absorb" | "parallel">("absorb");
  const [other, setOther] = useState<string | undefined>();
  const absorbPreview = useGql(PreviewAbsorptionDocument, { keep: tenant.id, gone: other ?? "" },
    { enabled: Boolean(other) && kind === "absorb" });
  const parallelPreview = useGql(PreviewParallelDocument, { parent: tenant.id, acquired: other ?? "" },
    { enabled: Boolean(other) && kind === "parallel" });
  const absorb = useGqlMutation(AbsorbDocument);
  const parallel = useGqlMutation(ParallelDocument);
  const preview = kind === "absorb" ? absorbPreview.data?.previewAbsorption : parallelPreview.data?.previewParallelReporting;
  const allowed = access.can("ipgov:tenant", "merge");
  const candidates = tenants.filter((x) => x.id !== tenant.id && (kind === "parallel" || x.parentId === tenant.id || x.rootId === tenant.rootId));
  const errors = [...payloadErrors(absorb.data?.absorbTenant), ...payloadErrors(parallel.data?.joinParallelReporting)];
  async function apply() {
    const result = kind === "absorb" ? (await absorb.mutateAsync({ keep: tenant.id, gone: other! })).absorbTenant
      : (await parallel.mutateAsync({ parent: tenant.id, acquired: other! })).joinParallelReporting;
    if (!result.errors.length) {
      void message.success(t("governance.merged"));
      setOther(undefined);
      await client.invalidateQueries({ queryKey: ["workspace"] });
    }
  }
  return (
    <Card title={t("governance.mergers")} size="small">
      <Space direction="vertical" style={{ width: "100%" }}>
        <Radio.Group value={kind} onChange={(e) => { setKind(e.target.value); setOther(undefined); }} aria-label={t("governance.mergers")}>
          <Radio value="absorb">{t("governance.absorb")}</Radio>
          <Radio value="parallel">{t("governance.parallel")}</Radio>
        </Radio.Group>
        <Typography.Text type="secondary">{t(kind === "absorb" ? "governance.absorbHelp" : "governance.parallelHelp")}</Typography.Text>
        <Select aria-label={t("governance.otherTenant")} placeholder={t("governance.otherTenant")} value={other} allowClear
          style={{ minWidth: 260 }} onChange={setOther} showSearch optionFilterProp="label"
          options={candidates.map((x) => ({ value: x.id, label: x.name }))} />
        <Problems error={absorbPreview.error ?? parallelPreview.error ?? absorb.error ?? parallel.error} errors={errors} />
        {preview ? <div data-testid="merger-preview">
          <Descriptions size="small" column={{ xs: 1, md: 2 }} items={[
            ...preview.counts.filter((c) => c.count).map((c) => ({ key: c.item, label: c.item, children: c.count })),
            { key: "kept", label: t("governance.supervisionKept"), children: preview.supervisionKept ? t("common.yes") : t("common.no") },
          ]} />
          <Effect effect={{ ...preview, slug: "", fromMode: tenant.governanceMode, toMode: tenant.governanceMode,
            rulesCopied: 0, rulesRemoved: 0, localRulesOn: 0, localRulesOff: 0 }} brief />
        </div> : null}
        <GatedButton danger type="primary" allowed={allowed} disabled={!preview} loading={absorb.isPending || parallel.isPending}
          onClick={() => void apply()}>{t(kind === "absorb" ? "governance.absorb" : "governance.parallel")}</GatedButton>
      </Space>
    </Card>
  );
}

function ModeCard() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [mode, setMode] = useState<GovernanceModeEnum>(tenant.governanceMode);
  const preview = useGql(PreviewDocument, { tenantId: tenant.id, mode }, { enabled: mode !== tenant.governanceMode });
  const apply = useGqlMutation(SetModeDocument);
  const allowed = access.can("ipgov:tenant", "update");
  const label = (m: string) => t(`governance.modes.${m.toLowerCase()}`);
  async function change() {
    const result = (await apply.mutateAsync({ tenantId: tenant.id, mode })).setGovernanceMode;
    if (!result.errors.length) {
      void message.success(t("governance.changed"));
      await client.invalidateQueries({ queryKey: ["workspace"] });
    }
  }
  return (
    <Card title={`${t("governance.mode")}: ${label(tenant.governanceMode)}`} size="small">
      <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)} aria-label={t("governance.mode")}>
        <Space direction="vertical">{MODES.map((m) => <Radio key={m} value={m}><Typography.Text strong>{label(m)}</Typography.Text>
          {" — "}<Typography.Text type="secondary">{t(`governance.modeHelp.${m.toLowerCase()}`)}</Typography.Text></Radio>)}</Space>
      </Radio.Group>
      {mode !== tenant.governanceMode ? <div style={{ marginTop: 16 }}>
        <Typography.Title level={3} style={{ fontSize: 16 }}>{t("governance.previewTitle", { mode: label(mode) })}</Typography.Title>
        <Problems error={preview.error ?? apply.error} errors={payloadErrors(apply.data?.setGovernanceMode)} />
        {preview.data ? <Effect effect={preview.data.previewGovernanceMode} /> : null}
        <GatedButton type="primary" allowed={allowed} style={{ marginTop: 12 }} loading={apply.isPending}
          disabled={!preview.data} onClick={() => void change()}>{t("governance.change")}</GatedButton>
      </div> : null}
    </Card>
  );
}

function OnboardCard() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const client = useQueryClient();
  const onboard = useGqlMutation(OnboardDocument);
  const [form] = Form.useForm();
  const allowed = access.can("ipgov:tenant", "create");
  async function submit(values: { slug: string; name: string; mode?: GovernanceModeEnum }) {
    const result = (await onboard.mutateAsync({ input: { parentId: tenant.id, slug: values.slug, name: values.name,
      governanceMode: values.mode ?? null } })).onboardSubsidiary;
    if (!result.errors.length) {
      form.resetFields();
      void message.success(t("governance.onboarded"));
      await client.invalidateQueries({ queryKey: ["workspace"] });
    }
  }
  const fieldError = (field: string) => payloadErrors(onboard.data?.onboardSubsidiary).find((e) => e.field === field)?.message;
  return (
    <Card title={t("governance.onboard")} size="small">
      <Problems error={onboard.error} errors={payloadErrors(onboard.data?.onboardSubsidiary).filter((e) => !e.field)} />
      <Form form={form} layout="vertical" onFinish={submit} disabled={!allowed} requiredMark={false}>
        <Form.Item label={t("governance.parent")} htmlFor="onboard-parent"><Input id="onboard-parent" value={tenant.name} disabled /></Form.Item>
        <Form.Item name="name" label={t("governance.name")} rules={[{ required: true }]}
          validateStatus={fieldError("name") ? "error" : undefined} help={fieldError("name")}><Input /></Form.Item>
        <Form.Item name="slug" label={t("governance.slug")} rules={[{ required: true }]}
          validateStatus={fieldError("slug") ? "error" : undefined} help={fieldError("slug")}><Input /></Form.Item>
        <Form.Item name="mode" label={t("governance.mode")}>
          <Select allowClear options={MODES.map((m) => ({ value: m, label: t(`governance.modes.${m.toLowerCase()}`) }))} />
        </Form.Item>
        <GatedButton type="primary" htmlType="submit" allowed={allowed} loading={onboard.isPending}>{t("governance.onboard")}</GatedButton>
      </Form>
    </Card>
  );
}

function EscalationsCard() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const query = useGql(EscalationsDocument, { tenantId: tenant.id }, { enabled: access.can("ipgov:escalation", "read") });
  const decide = useGqlMutation(DecideDocument);
  const allowed = access.can("ipgov:escalation", "decide");
  const nodes = query.data?.escalations.nodes ?? [];
  return (
    <Card title={t("home.escalations")} size="small">
      <Problems error={query.error ?? decide.error} errors={payloadErrors(decide.data?.decideEscalation)} />
      {nodes.length ? <List size="small" dataSource={[...nodes]} renderItem={(e) => <List.Item actions={[
        <GatedButton key="y" size="small" type="primary" allowed={allowed}
          onClick={() => decide.mutate({ tenantId: tenant.id, id: e.id, approve: true, note: "" })}>✓</GatedButton>,
        <GatedButton key="n" size="small" danger allowed={allowed}
          onClick={() => decide.mutate({ tenantId: tenant.id, id: e.id, approve: false, note: "" })}>✗</GatedButton>]}>
        <List.Item.Meta title={e.subject} description={`${e.decisionType} · ${e.requestedByActor?.name ?? e.requestedBy}`} /></List.Item>} />
        : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("home.noEscalations")} />}
    </Card>
  );
}

export function Governance() {
  const { t } = useTranslation();
  const { tenants, tenant } = useWorkspace();
  const forest = useMemo(() => tenantForest(tenants), [tenants]);
  const label = (m: string) => t(`governance.modes.${m.toLowerCase()}`);
  return (
    <>
      <PageTitle>{t("governance.title")} · {tenant.name}</PageTitle>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}><Card title={t("governance.tree")} size="small">
          <Tree key={tenants.length} defaultExpandAll selectedKeys={[tenant.id]} treeData={treeNodes(forest, label) as never} />
        </Card></Col>
        <Col xs={24} lg={14}><Space direction="vertical" style={{ width: "100%" }} size="large">
          <ModeCard />
          <OnboardCard />
          <MergerCard />
          <EscalationsCard />
          <AssistantCard />
        </Space></Col>
      </Row>
    </>
  );
}
