/** Reasonable-steps evidence of the trade secrets: what was done when, what is missing or
 * expired, and the form that records a step. */
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { Alert, App, Card, Col, Form, Input, Row, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import { PAGE, Pager, STEPS, TRADE_SECRET, useCursor, useM, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const StepsDocument = graphql(`
  query DataGovernanceSteps($tenantId: ID!, $assetId: ID, $first: Int!, $after: String) {
    tradeSecretSteps(tenantId: $tenantId, assetId: $assetId, first: $first, after: $after) {
      nodes { id assetId kind description takenOn expiresOn evidenceRef recordedBy recordedByActor { name } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const SecretsDocument = graphql(`
  query DataGovernanceSecrets($tenantId: ID!) {
    dataAssets(tenantId: $tenantId, kind: "trade_secret", first: 100) { nodes { id code title classification } }
  }
`);

const RecordDocument = graphql(`
  mutation DataGovernanceRecordStep($tenantId: ID!, $input: ReasonableStepInput!) {
    recordTradeSecretStep(tenantId: $tenantId, input: $input) { step { id } errors { code message field } }
  }
`);

function StepsTable(props: { assetId: string | null; codes?: Map<string, string> }) {
  const t = useT();
  const { language } = useExtension();
  const cursor = useCursor();
  const steps = useQ(StepsDocument, { tenantId: useTenant(), assetId: props.assetId, first: PAGE, after: cursor.after });
  const data = steps.data?.tradeSecretSteps;
  const nodes = data?.nodes ?? [];
  const today = new Date().toISOString().slice(0, 10);
  const live = new Set(nodes.filter((s) => !s.expiresOn || s.expiresOn > today).map((s) => s.kind));
  const missing = STEPS.filter((k) => !live.has(k));
  return (
    <>
      <Problems error={steps.error} />
      {props.assetId && !steps.isPending && cursor.page === 1 && !data?.pageInfo.hasNextPage ? (
        missing.length ? <Alert type="warning" showIcon style={{ marginBottom: 8 }}
          title={t("missingSteps", { steps: missing.map((k) => t(`step_${k}`)).join(", ") })} />
          : <Alert type="success" showIcon style={{ marginBottom: 8 }} title={t("allSteps")} />) : null}
      <Table size="small" rowKey="id" loading={steps.isPending} dataSource={[...nodes]} pagination={false} scroll={{ x: true }}
        locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.65)" }}>{t("noSteps")}</span> }} columns={[
          ...(props.codes ? [{ title: t("tradeSecret"), key: "asset", render: (_: unknown, s: (typeof nodes)[number]) => props.codes?.get(s.assetId) ?? s.assetId }] : []),
          { title: t("step"), dataIndex: "kind", render: (v: string) => t(`step_${v}` as "step_nda") },
          { title: t("takenOn"), dataIndex: "takenOn", render: (v: string) => formatDate(v, language) },
          { title: t("expiresOn"), dataIndex: "expiresOn", render: (v: string | null) => v ? <Space>
            {formatDate(v, language)}{v <= today ? <Tag color="red">{t("expired")}</Tag> : null}</Space> : t("none") },
          { title: t("description"), dataIndex: "description" },
          { title: t("evidence"), dataIndex: "evidenceRef" },
          { title: t("recordedBy"), render: (_: unknown, s) => s.recordedByActor?.name ?? s.recordedBy },
        ]} />
      <Pager cursor={cursor} info={data?.pageInfo} />
    </>
  );
}

/** The steps of one trade secret (inside the catalog's asset view). */
export function StepsOf(props: { assetId: string }) {
  const t = useT();
  return (
    <Card size="small" title={<span role="heading" aria-level={3}>{t("stepsTitle")}</span>}>
      <StepsTable assetId={props.assetId} />
    </Card>
  );
}

function RecordStep(props: { secrets: readonly { id: string; code: string; title: string }[]; assetId: string | null }) {
  const t = useT();
  const { message } = App.useApp();
  const { can } = useExtension();
  const tenantId = useTenant();
  const [form] = Form.useForm();
  const record = useM(RecordDocument);
  const allowed = can(TRADE_SECRET, "record_step");
  const payload = record.data?.recordTradeSecretStep;
  async function submit(v: Record<string, string | undefined>) {
    form.setFields(form.getFieldsError().filter((f) => f.errors.length).map((f) => ({ name: f.name, errors: [] })));
    const result = (await record.mutateAsync({ tenantId, input: { assetId: v.assetId ?? "", kind: v.kind ?? "",
      takenOn: v.takenOn || null, expiresOn: v.expiresOn || null, description: v.description ?? "", evidenceRef: v.evidenceRef ?? "" } })).recordTradeSecretStep;
    if (result.step) { form.resetFields(["kind", "takenOn", "expiresOn", "description", "evidenceRef"]); void message.success(t("recorded")); return; }
    form.setFields(result.errors.filter((e) => e.field).map((e) => ({ name: String(e.field).replace(/^input\./, ""), errors: [`${e.code}: ${e.message}`] })));
  }
  return (
    <Card size="small" title={<span role="heading" aria-level={3}>{t("recordStep")}</span>}>
      {allowed ? null : <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t("notAllowedRecord")} />}
      <Problems errors={payload?.errors.filter((e) => !e.field)} error={record.error} />
      <Form form={form} layout="vertical" onFinish={submit} disabled={!allowed} initialValues={{ assetId: props.assetId ?? undefined }}>
        <Form.Item name="assetId" label={t("tradeSecret")} required>
          <Select options={props.secrets.map((s) => ({ value: s.id, label: `${s.code} ${s.title}` }))} />
        </Form.Item>
        <Form.Item name="kind" label={t("step")} required>
          <Select options={STEPS.map((k) => ({ value: k, label: t(`step_${k}`) }))} />
        </Form.Item>
        <Form.Item name="takenOn" label={t("takenOn")} required><Input type="date" /></Form.Item>
        <Form.Item name="expiresOn" label={t("expiresOn")}><Input type="date" /></Form.Item>
        <Form.Item name="description" label={t("description")}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="evidenceRef" label={t("evidence")}><Input maxLength={300} /></Form.Item>
        <GatedButton allowed={allowed} type="primary" htmlType="submit" loading={record.isPending}>{t("record")}</GatedButton>
      </Form>
    </Card>
  );
}

export function Steps() {
  const t = useT();
  const tenantId = useTenant();
  const secrets = useQ(SecretsDocument, { tenantId });
  const [assetId, setAssetId] = useState<string | null>(null);
  const list = secrets.data?.dataAssets.nodes ?? [];
  const codes = new Map(list.map((s) => [s.id, s.code]));
  return (
    <>
      <PageTitle>{t("stepsTitle")}</PageTitle>
      <Typography.Paragraph type="secondary">{t("stepsIntro")}</Typography.Paragraph>
      <Problems error={secrets.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Select aria-label={t("tradeSecret")} style={{ minWidth: 260, marginBottom: 12 }} value={assetId ?? ""}
            onChange={(v: string) => setAssetId(v || null)}
            options={[{ value: "", label: t("allSecrets") }, ...list.map((s) => ({ value: s.id, label: `${s.code} ${s.title}` }))]} />
          <StepsTable key={assetId ?? "all"} assetId={assetId} codes={codes} />
        </Col>
        <Col xs={24} xl={8}><RecordStep key={assetId ?? "all"} secrets={list} assetId={assetId} /></Col>
      </Row>
    </>
  );
}
