/** Incidents as they unfold: detected → responses taken → the recovery plan's steps; report
 * an incident, record a response and close one where the role allows it. */
import { App, Button, Card, Col, Empty, Form, Input, Modal, Popconfirm, Row, Select, Space, Steps, Tag, Timeline,
  Typography } from "antd";
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { useState } from "react";
import type { IpgIncidentsQuery } from "../../../../../web/src/gql/graphql";
import { PAGE, useTenantMutation, useTenantPages } from "../data";
import { CloseIncidentDocument, IncidentsDocument, RecordResponseDocument, ReportIncidentDocument } from "../operations";
import { INCIDENT_KINDS, INCIDENT_STATUSES, RESPONSE_ACTIONS, SEVERITIES, optionsOf, useTexts } from "../texts";
import { tone } from "../tone";

type Incident = IpgIncidentsQuery["ipIncidents"]["nodes"][number];
type UserError = { code: string; message: string; field?: string | null };
const INCIDENT = "ip_governance:incident";

/** A modal form whose refused fields are shown at the field. */
function useFieldErrors(fields: readonly string[]) {
  const [problems, setProblems] = useState<UserError[]>([]);
  const apply = (form: { setFields: (f: { name: string; errors: string[] }[]) => void }, errors: UserError[]) => {
    form.setFields(fields.map((name) => ({ name, errors: errors.filter((e) => e.field === name).map((e) => e.message) })));
    setProblems(errors.filter((e) => !fields.includes(e.field ?? "")));
  };
  return { problems, apply, clear: () => setProblems([]) };
}

function ReportIncident(props: { open: boolean; onClose: () => void }) {
  const { t, word } = useTexts();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const report = useTenantMutation(ReportIncidentDocument);
  const fields = useFieldErrors(["kind", "title", "detectedOn", "description", "severity"]);
  async function submit() {
    const v = await form.validateFields();
    const errors = (await report.run({ input: { ...v, description: v.description ?? "" } })).reportIpIncident.errors;
    fields.apply(form, errors);
    if (!errors.length) { void message.success(t("saved")); form.resetFields(); props.onClose(); }
  }
  return (
    <Modal open={props.open} onCancel={props.onClose} onOk={() => void submit()} title={t("reportIncident")} forceRender
      okText={t("save")} cancelText={t("cancel")} confirmLoading={report.isPending}>
      <Problems errors={fields.problems} error={report.error} />
      <Form form={form} layout="vertical" name="ip-incident" initialValues={{ kind: "infringement_detected", severity: "medium" }}>
        <Form.Item name="title" label={t("title")} rules={[{ required: true, message: t("title") }]}><Input /></Form.Item>
        <Form.Item name="kind" label={t("kind")}><Select options={optionsOf(INCIDENT_KINDS, word)} /></Form.Item>
        <Form.Item name="severity" label={t("severity")}><Select options={optionsOf(SEVERITIES, word)} /></Form.Item>
        <Form.Item name="detectedOn" label={t("detectedOn")} rules={[{ required: true, message: t("detectedOn") }]}><Input type="date" /></Form.Item>
        <Form.Item name="description" label={t("description")}><Input.TextArea rows={3} /></Form.Item>
      </Form>
    </Modal>
  );
}

function RecordResponse(props: { incident: Incident | null; onClose: () => void }) {
  const { t, word } = useTexts();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const record = useTenantMutation(RecordResponseDocument);
  const fields = useFieldErrors(["action", "takenOn", "description", "responder"]);
  async function submit() {
    if (!props.incident) return;
    const v = await form.validateFields();
    const errors = (await record.run({ incidentId: props.incident.id, action: v.action, takenOn: v.takenOn || null,
      description: v.description ?? "", responder: v.responder ?? "" })).recordIpIncidentResponse.errors;
    fields.apply(form, errors);
    if (!errors.length) { void message.success(t("saved")); form.resetFields(); props.onClose(); }
  }
  return (
    <Modal open={Boolean(props.incident)} onCancel={props.onClose} onOk={() => void submit()} forceRender
      title={t("recordResponseFor", { title: props.incident?.title ?? "" })} okText={t("save")} cancelText={t("cancel")}
      confirmLoading={record.isPending}>
      <Problems errors={fields.problems} error={record.error} />
      <Form form={form} layout="vertical" name="ip-incident-response" initialValues={{ action: "monitor" }}>
        <Form.Item name="action" label={t("responseAction")}><Select options={optionsOf(RESPONSE_ACTIONS, word)} /></Form.Item>
        <Form.Item name="takenOn" label={t("takenOn")}><Input type="date" /></Form.Item>
        <Form.Item name="responder" label={t("responder")}><Input /></Form.Item>
        <Form.Item name="description" label={t("description")}><Input.TextArea rows={3} /></Form.Item>
      </Form>
    </Modal>
  );
}

function IncidentCard(props: { incident: Incident; onRespond: (i: Incident) => void }) {
  const { t, word } = useTexts();
  const { can, language } = useExtension();
  const { message } = App.useApp();
  const close = useTenantMutation(CloseIncidentDocument);
  const i = props.incident;
  const severe = i.severity === "critical" || i.severity === "high";
  const closed = i.status === "closed";
  return (
    <Card size="small" title={<Space wrap><span>{i.title}</span><Tag style={tone(severe ? "bad" : "plain")}>{word(i.severity)}</Tag>
      <Tag>{word(i.status)}</Tag></Space>}
      extra={<Space>
        <GatedButton size="small" allowed={can(INCIDENT, "update") && !closed} onClick={() => props.onRespond(i)}
          aria-label={`${t("recordResponse")}: ${i.title}`}>{t("recordResponse")}</GatedButton>
        {can(INCIDENT, "close") && !closed ? (
          <Popconfirm title={t("confirmClose")} okText={t("yes")} cancelText={t("no")} onConfirm={async () => {
            const errors = (await close.run({ id: i.id })).closeIpIncident.errors;
            if (errors.length) void message.error(errors.map((e) => e.message).join("; "));
          }}>
            <Button size="small" aria-label={t("closeIncidentNamed", { title: i.title })}>{t("closeIncident")}</Button>
          </Popconfirm>
        ) : <GatedButton size="small" allowed={false} aria-label={t("closeIncidentNamed", { title: i.title })}>{t("closeIncident")}</GatedButton>}
      </Space>}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {word(i.kind)} · {t("detectedOn")} {formatDate(i.detectedOn, language)}{i.closedAt ? ` · ${formatDate(i.closedAt, language)}` : ""}
      </Typography.Paragraph>
      {i.description ? <Typography.Paragraph>{i.description}</Typography.Paragraph> : null}
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Typography.Title level={5}>{t("responses")}</Typography.Title>
          {i.responses.length ? <Timeline items={i.responses.map((r) => ({ key: r.id, content: (
            <Space orientation="vertical" size={0}>
              <Typography.Text strong>{word(r.action)}</Typography.Text>
              <Typography.Text type="secondary">{formatDate(r.takenOn, language)}{r.responder ? ` · ${r.responder}` : ""}</Typography.Text>
              {r.description ? <Typography.Text>{r.description}</Typography.Text> : null}
            </Space>) }))} /> : <Typography.Text type="secondary">{t("noResponses")}</Typography.Text>}
        </Col>
        <Col xs={24} md={12}>
          <Typography.Title level={5}>{t("recovery")}</Typography.Title>
          {i.recoveryPlan ? (
            <>
              <Typography.Paragraph>{i.recoveryPlan.summary} <Tag>{word(i.recoveryPlan.status)}</Tag></Typography.Paragraph>
              <Steps orientation="vertical" size="small" items={i.recoveryPlan.steps.map((s) => ({
                title: s.title, status: s.status === "done" ? "finish" : s.status === "in_progress" ? "process" : "wait",
                content: `${word(s.status)}${s.dueOn ? ` · ${formatDate(s.dueOn, language)}` : ""}` }))} />
            </>
          ) : <Typography.Text type="secondary">{t("noRecovery")}</Typography.Text>}
        </Col>
      </Row>
    </Card>
  );
}

export function Incidents() {
  const { t, word } = useTexts();
  const { can } = useExtension();
  const [status, setStatus] = useState<string | undefined>();
  const [reporting, setReporting] = useState(false);
  const [responding, setResponding] = useState<Incident | null>(null);
  const pages = useTenantPages(IncidentsDocument, { status: status ?? null, first: PAGE, after: null }, (d) => d.ipIncidents);
  return (
    <>
      <PageTitle extra={<GatedButton type="primary" allowed={can(INCIDENT, "create")} onClick={() => setReporting(true)}>
        {t("reportIncident")}</GatedButton>}>{t("incidentsTitle")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select allowClear placeholder={t("status")} aria-label={t("status")} style={{ width: 160 }} value={status}
          onChange={setStatus} options={optionsOf(INCIDENT_STATUSES, word)} />
      </Space>
      <Problems error={pages.error} />
      {!pages.isLoading && !pages.nodes.length ? <Empty /> : null}
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        {pages.nodes.map((i) => <IncidentCard key={i.id} incident={i} onRespond={setResponding} />)}
      </Space>
      {pages.hasNextPage ? (
        <div style={{ textAlign: "center", marginTop: 16 }}>
          <Button onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>{t("loadMore")}</Button>
        </div>
      ) : null}
      <ReportIncident open={reporting} onClose={() => setReporting(false)} />
      <RecordResponse incident={responding} onClose={() => setResponding(null)} />
    </>
  );
}
