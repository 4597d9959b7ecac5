/** The IP risk register as a 5×5 likelihood × impact matrix, with each risk judged against its
 * category's tolerance (the appetite that applies to the tenant, inherited down the group). */
import { App, Button, Card, Col, Descriptions, Form, Input, Modal, Row, Select, Space, Table, Tag, Typography,
  type TableColumnsType } from "antd";
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { useEffect, useMemo, useState } from "react";
import type { IpgRisksQuery } from "../../../../../web/src/gql/graphql";
import { PAGE, useTenantMutation, useTenantQuery } from "../data";
import { AcceptRiskDocument, CreateRiskDocument, RisksDocument, UpdateRiskDocument } from "../operations";
import { RISK_CATEGORIES, RISK_STATUSES, TREATMENTS, optionsOf, useTexts } from "../texts";
import { tone } from "../tone";

type Risk = IpgRisksQuery["ipRisks"]["nodes"][number];
type Appetite = IpgRisksQuery["ipRiskAppetite"];
type UserError = { code: string; message: string; field?: string | null };
const RISK = "ip_governance:risk";
const LEVELS = [1, 2, 3, 4, 5];
const FIELDS = ["title", "description", "category", "likelihood", "impact", "owner", "treatment", "treatmentPlan", "status"] as const;

/** The cell colour of a score: green, amber, red (with text dark enough on each). */
function band(score: number): { background: string; color: string } {
  if (score >= 15) return { background: "#ffccc7", color: "#820014" };
  if (score >= 8) return { background: "#ffe7ba", color: "#613400" };
  return { background: "#d9f7be", color: "#135200" };
}

function Matrix(props: { risks: Risk[]; cell: [number, number] | null; onCell: (cell: [number, number] | null) => void }) {
  const { t } = useTexts();
  const count = (l: number, i: number) => props.risks.filter((r) => r.likelihood === l && r.impact === i).length;
  const size = "minmax(44px, 1fr)";
  return (
    <div role="group" aria-label={t("matrix")}>
      <div style={{ display: "grid", gridTemplateColumns: `28px repeat(5, ${size})`, gap: 4, alignItems: "stretch" }}>
        {[...LEVELS].reverse().map((impact) => [
          <Typography.Text key={`i${impact}`} type="secondary" style={{ alignSelf: "center", textAlign: "center" }}>{impact}</Typography.Text>,
          ...LEVELS.map((likelihood) => {
            const n = count(likelihood, impact);
            const chosen = props.cell?.[0] === likelihood && props.cell?.[1] === impact;
            const colours = band(likelihood * impact);
            return (
              <button key={`${likelihood}-${impact}`} type="button" aria-pressed={chosen}
                aria-label={t("matrixCell", { l: likelihood, i: impact, count: n })}
                onClick={() => props.onCell(chosen ? null : [likelihood, impact])}
                style={{ ...colours, minHeight: 52, border: chosen ? "3px solid #1d39c4" : "1px solid rgba(0,0,0,0.15)",
                  borderRadius: 6, cursor: "pointer", fontSize: 18, fontWeight: n ? 700 : 400 }}>
                {n || ""}
              </button>
            );
          }),
        ])}
        <span />
        {LEVELS.map((l) => <Typography.Text key={`l${l}`} type="secondary" style={{ textAlign: "center" }}>{l}</Typography.Text>)}
      </div>
      <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 4 }}>
        <Typography.Text type="secondary">↑ {t("impact")}</Typography.Text>
        <Typography.Text type="secondary">{t("likelihood")} →</Typography.Text>
      </Space>
    </div>
  );
}

function RiskForm(props: { risk: Risk | null; open: boolean; onClose: () => void }) {
  const { t, word } = useTexts();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [problems, setProblems] = useState<UserError[]>([]);
  const create = useTenantMutation(CreateRiskDocument);
  const update = useTenantMutation(UpdateRiskDocument);
  const { risk, open, onClose } = props;
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(risk ? Object.fromEntries(FIELDS.map((f) => [f, risk[f] ?? undefined]))
      : { category: "infringement", likelihood: 3, impact: 3, status: "open" });
    setProblems([]);
  }, [open, risk, form]);
  async function submit() {
    const values = await form.validateFields();
    const input = Object.fromEntries(FIELDS.map((f) => [f, values[f] ?? (f === "treatment" ? null : "")]));
    const errors: UserError[] = risk ? (await update.run({ id: risk.id, input })).updateIpRisk.errors
      : (await create.run({ input })).createIpRisk.errors;
    form.setFields(FIELDS.map((name) => ({ name, errors: errors.filter((e) => e.field === name).map((e) => e.message) })));
    setProblems(errors.filter((e) => !FIELDS.includes((e.field ?? "") as (typeof FIELDS)[number])));
    if (!errors.length) { void message.success(t("saved")); onClose(); }
  }
  const levels = LEVELS.map((v) => ({ value: v, label: String(v) }));
  return (
    <Modal open={open} onCancel={onClose} onOk={() => void submit()} title={risk ? t("editRisk") : t("newRisk")} forceRender
      okText={t("save")} cancelText={t("cancel")} confirmLoading={create.isPending || update.isPending} width={720}>
      <Problems errors={problems} error={create.error ?? update.error} />
      <Form form={form} layout="vertical" name="ip-risk">
        <Form.Item name="title" label={t("title")} rules={[{ required: true, message: t("title") }]}><Input /></Form.Item>
        <Form.Item name="description" label={t("description")}><Input.TextArea rows={2} /></Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={8}><Form.Item name="category" label={t("category")}><Select options={optionsOf(RISK_CATEGORIES, word)} /></Form.Item></Col>
          <Col xs={12} md={8}><Form.Item name="likelihood" label={t("likelihood")}><Select options={levels} /></Form.Item></Col>
          <Col xs={12} md={8}><Form.Item name="impact" label={t("impact")}><Select options={levels} /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name="owner" label={t("owner")}><Input /></Form.Item></Col>
          <Col xs={12} md={8}><Form.Item name="treatment" label={t("treatment")}><Select allowClear options={optionsOf(TREATMENTS, word)} /></Form.Item></Col>
          <Col xs={12} md={8}><Form.Item name="status" label={t("status")}><Select options={optionsOf(RISK_STATUSES, word)} /></Form.Item></Col>
        </Row>
        <Form.Item name="treatmentPlan" label={t("treatmentPlan")}><Input.TextArea rows={2} /></Form.Item>
      </Form>
    </Modal>
  );
}

function AcceptRisk(props: { risk: Risk | null; onClose: () => void }) {
  const { t } = useTexts();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ approver: string; expiresOn?: string }>();
  const accept = useTenantMutation(AcceptRiskDocument);
  const [problems, setProblems] = useState<UserError[]>([]);
  useEffect(() => { if (props.risk) { form.resetFields(); setProblems([]); } }, [props.risk, form]);
  async function submit() {
    if (!props.risk) return;
    const values = await form.validateFields();
    const errors = (await accept.run({ id: props.risk.id, approver: values.approver, expiresOn: values.expiresOn || null })).acceptIpRisk.errors;
    form.setFields((["approver", "expiresOn"] as const).map((name) => ({ name, errors: errors.filter((e) => e.field === name).map((e) => e.message) })));
    setProblems(errors.filter((e) => e.field !== "approver" && e.field !== "expiresOn"));
    if (!errors.length) { void message.success(t("saved")); props.onClose(); }
  }
  return (
    <Modal open={Boolean(props.risk)} onCancel={props.onClose} onOk={() => void submit()} forceRender
      title={`${t("acceptRisk")}: ${props.risk?.title ?? ""}`} okText={t("acceptRisk")} cancelText={t("cancel")} confirmLoading={accept.isPending}>
      <Problems errors={problems} error={accept.error} />
      <Form form={form} layout="vertical" name="ip-risk-accept">
        <Form.Item name="approver" label={t("approver")} rules={[{ required: true, message: t("approver") }]}><Input /></Form.Item>
        <Form.Item name="expiresOn" label={t("expiresOn")}><Input type="date" /></Form.Item>
      </Form>
    </Modal>
  );
}

function Tolerances(props: { appetite: Appetite }) {
  const { t, word } = useTexts();
  const { tenant } = useExtension();
  return (
    <Card size="small" title={t("appetite")} style={{ height: "100%" }}>
      <Typography.Paragraph>{props.appetite.statement || t("noStatement")}</Typography.Paragraph>
      <Descriptions size="small" column={1} bordered items={props.appetite.tolerances.map((tol) => ({
        key: tol.category, label: word(tol.category),
        children: <Space wrap><Typography.Text strong>{tol.threshold}</Typography.Text>
          <Typography.Text type="secondary">{tol.sourceTenantId == null ? t("defaultSetting")
            : tol.sourceTenantId === tenant.id ? t("ownSetting") : t("inheritedFrom")}</Typography.Text></Space>,
      }))} />
    </Card>
  );
}

export function Risks() {
  const { t, word } = useTexts();
  const { can, language } = useExtension();
  const risks = useTenantQuery(RisksDocument, { first: PAGE, after: null });
  const [cell, setCell] = useState<[number, number] | null>(null);
  const [editing, setEditing] = useState<Risk | null | undefined>(undefined);
  const [accepting, setAccepting] = useState<Risk | null>(null);
  const nodes = useMemo(() => risks.data?.ipRisks.nodes ?? [], [risks.data]);
  const threshold = useMemo(() => new Map((risks.data?.ipRiskAppetite.tolerances ?? []).map((x) => [x.category, x.threshold])), [risks.data]);
  const shown = cell ? nodes.filter((r) => r.likelihood === cell[0] && r.impact === cell[1]) : nodes;
  const columns: TableColumnsType<Risk> = [
    { title: t("title"), dataIndex: "title", render: (v: string, r) => (
      <Space orientation="vertical" size={0}><Typography.Text strong>{v}</Typography.Text>
        {r.acceptedBy ? <Typography.Text type="secondary">{t("acceptedBy", { who: r.acceptedBy,
          until: formatDate(r.acceptanceExpiresOn, language) })}</Typography.Text> : null}</Space>) },
    { title: t("category"), dataIndex: "category", width: 130, render: (v: string) => word(v) },
    { title: t("score"), dataIndex: "score", width: 120, sorter: (a, b) => a.score - b.score, defaultSortOrder: "descend",
      render: (v: number, r) => <Tag style={band(v)}>{r.likelihood} × {r.impact} = {v}</Tag> },
    { title: t("tolerance"), key: "tolerance", width: 150, render: (_, r) => {
      const limit = threshold.get(r.category) ?? 12;
      return <Space size={4}><span>{limit}</span>{r.score > limit
        ? <Tag style={tone("bad")}>{t("aboveTolerance")}</Tag> : <Tag style={tone("good")}>{t("withinTolerance")}</Tag>}</Space>;
    } },
    { title: t("treatment"), dataIndex: "treatment", width: 100, render: (v: string | null) => word(v) },
    { title: t("status"), dataIndex: "status", width: 100, render: (v: string) => <Tag>{word(v)}</Tag> },
    { title: t("owner"), dataIndex: "owner", width: 140 },
    { title: t("actions"), key: "actions", width: 170, render: (_, r) => (
      <Space>
        <GatedButton size="small" allowed={can(RISK, "update")} onClick={() => setEditing(r)}
          aria-label={`${t("edit")}: ${r.title}`}>{t("edit")}</GatedButton>
        <GatedButton size="small" allowed={can(RISK, "accept") && r.status !== "accepted" && r.status !== "closed"}
          onClick={() => setAccepting(r)} aria-label={`${t("acceptRisk")}: ${r.title}`}>{t("acceptRisk")}</GatedButton>
      </Space>) },
  ];
  return (
    <>
      <PageTitle extra={<GatedButton type="primary" allowed={can(RISK, "create")} onClick={() => setEditing(null)}>{t("newRisk")}</GatedButton>}>
        {t("risksTitle")}</PageTitle>
      <Problems error={risks.error} />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} lg={12}><Card size="small" title={t("matrix")}><Matrix risks={nodes} cell={cell} onCell={setCell} /></Card></Col>
        <Col xs={24} lg={12}>{risks.data ? <Tolerances appetite={risks.data.ipRiskAppetite} /> : null}</Col>
      </Row>
      {cell ? (
        <Space style={{ marginBottom: 8 }}>
          <Typography.Text>{t("selectCell")}: {t("likelihood")} {cell[0]} · {t("impact")} {cell[1]}</Typography.Text>
          <Button size="small" onClick={() => setCell(null)}>{t("clearCell")}</Button>
        </Space>
      ) : null}
      <Table<Risk> rowKey="id" columns={columns} dataSource={shown} loading={risks.isLoading} pagination={false} scroll={{ x: 1100 }} />
      <RiskForm risk={editing ?? null} open={editing !== undefined} onClose={() => setEditing(undefined)} />
      <AcceptRisk risk={accepting} onClose={() => setAccepting(null)} />
    </>
  );
}
