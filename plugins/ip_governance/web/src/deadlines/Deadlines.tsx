/** Deadlines of the register: a list and a month calendar, overdue ones marked; the home
 * widget lists those due within 90 days. */
import { Badge, Button, Calendar, Form, Input, List, Modal, Segmented, Select, Space, Table, Tag, Typography, App,
  type TableColumnsType } from "antd";
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { useMemo, useState } from "react";
import type { IpgDeadlinesQuery } from "../../../../../web/src/gql/graphql";
import { PAGE, daysUntil, isoInDays, useTenantMutation, useTenantPages, useTenantQuery } from "../data";
import { AddDeadlineDocument, AssetsDocument, DeadlinesDocument, SetDeadlineStatusDocument } from "../operations";
import { DEADLINE_KINDS, DEADLINE_STATUSES, optionsOf, useTexts } from "../texts";
import { tone, DANGER_TEXT } from "../tone";
import { Forecast } from "./Forecast";

type Deadline = IpgDeadlinesQuery["ipAssetDeadlines"]["nodes"][number];
const ASSET = "ip_governance:asset";

/** Titles of the tenant's assets by id (the first page of the register, for names). */
function useAssetTitles() {
  const assets = useTenantQuery(AssetsDocument, { first: PAGE, after: null });
  return useMemo(() => new Map((assets.data?.ipAssets.nodes ?? []).map((a) => [a.id, a.title])), [assets.data]);
}

function Due(props: { deadline: Deadline }) {
  const { t } = useTexts();
  const { language } = useExtension();
  const { dueOn, status } = props.deadline;
  const days = daysUntil(dueOn);
  const late = status === "open" && days < 0;
  return (
    <Space size={4} wrap>
      <Typography.Text style={late ? DANGER_TEXT : undefined} strong={late}>{formatDate(dueOn, language)}</Typography.Text>
      {status !== "open" ? null : late ? <Tag style={tone("bad")}>{t("overdue")} · {t("daysAgo", { days: -days })}</Tag>
        : <Tag style={tone(days <= 30 ? "warn" : "plain")}>{days === 0 ? t("today") : t("inDays", { days })}</Tag>}
    </Space>
  );
}

function AddDeadline(props: { open: boolean; onClose: () => void; titles: Map<string, string> }) {
  const { t, word } = useTexts();
  const [form] = Form.useForm<{ assetId: string; kind: string; dueOn: string; description?: string }>();
  const { message } = App.useApp();
  const add = useTenantMutation(AddDeadlineDocument);
  const [problems, setProblems] = useState<{ code: string; message: string; field?: string | null }[]>([]);
  async function submit() {
    const values = await form.validateFields();
    const errors = (await add.run({ ...values, description: values.description ?? "" })).addIpAssetDeadline.errors;
    form.setFields((["assetId", "kind", "dueOn", "description"] as const).map((name) => ({ name,
      errors: errors.filter((e) => e.field === name).map((e) => e.message) })));
    setProblems(errors.filter((e) => !["assetId", "kind", "dueOn", "description"].includes(e.field ?? "")));
    if (!errors.length) { void message.success(t("saved")); form.resetFields(); props.onClose(); }
  }
  return (
    <Modal open={props.open} onCancel={props.onClose} onOk={() => void submit()} title={t("addDeadline")} forceRender
      okText={t("save")} cancelText={t("cancel")} confirmLoading={add.isPending}>
      <Problems errors={problems} error={add.error} />
      <Form form={form} layout="vertical" name="ip-deadline" initialValues={{ kind: "renewal" }}>
        <Form.Item name="assetId" label={t("chooseAsset")} rules={[{ required: true, message: t("chooseAsset") }]}>
          <Select showSearch optionFilterProp="label"
            options={[...props.titles.entries()].map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item name="kind" label={t("deadlineKind")}><Select options={optionsOf(DEADLINE_KINDS, word)} /></Form.Item>
        <Form.Item name="dueOn" label={t("dueOn")} rules={[{ required: true, message: t("dueOn") }]}><Input type="date" /></Form.Item>
        <Form.Item name="description" label={t("description")}><Input /></Form.Item>
      </Form>
    </Modal>
  );
}

export function Deadlines() {
  const { t, word } = useTexts();
  const { can, language } = useExtension();
  const [status, setStatus] = useState("open");
  const [view, setView] = useState<"list" | "calendar" | "forecast">("list");
  const [adding, setAdding] = useState(false);
  const [month, setMonth] = useState(() => new Date().getMonth());
  const titles = useAssetTitles();
  const pages = useTenantPages(DeadlinesDocument, { status, dueBefore: null, first: PAGE, after: null },
    (d) => d.ipAssetDeadlines);
  const { message } = App.useApp();
  const setState = useTenantMutation(SetDeadlineStatusDocument);
  const allowed = can(ASSET, "update");
  const mark = async (d: Deadline, next: string) => {
    const errors = (await setState.run({ id: d.id, status: next })).setIpAssetDeadlineStatus.errors;
    if (errors.length) void message.error(errors.map((e) => e.message).join("; "));
  };
  const name = (d: Deadline) => titles.get(d.assetId) ?? d.assetId;
  const actions = (d: Deadline) => (d.status === "open"
    ? [["done", t("markDone")], ["waived", t("markWaived")], ["missed", t("markMissed")]] as const
    : [["open", t("reopen")]] as const);
  const columns: TableColumnsType<Deadline> = [
    { title: t("dueOn"), dataIndex: "dueOn", width: 240, render: (_, d) => <Due deadline={d} /> },
    { title: t("deadlineKind"), dataIndex: "kind", width: 130, render: (v: string) => word(v) },
    { title: t("asset"), key: "asset", render: (_, d) => name(d) },
    { title: t("description"), key: "description", render: (_, d) => (
      <Space orientation="vertical" size={0}>
        <Typography.Text>{(language.startsWith("zh") ? d.explanationZh : d.explanationEn) || d.description}</Typography.Text>
        {d.graceUntil ? <Typography.Text type="secondary">{t("graceUntil", { date: formatDate(d.graceUntil, language) })}</Typography.Text> : null}
      </Space>) },
    { title: t("rule"), key: "rule", width: 200, render: (_, d) => (d.origin === "computed"
      ? <Tag style={tone("plain")}>{d.ruleId}</Tag> : <Tag>{t("manual")}</Tag>) },
    { title: t("status"), dataIndex: "status", width: 100, render: (v: string) => <Tag>{word(v)}</Tag> },
    { title: t("actions"), key: "actions", width: 220, render: (_, d) => (
      <Space wrap>{actions(d).map(([next, label]) => (
        <GatedButton key={next} size="small" allowed={allowed} onClick={() => void mark(d, next)}
          aria-label={t("markNamed", { action: label, what: `${word(d.kind)} ${name(d)}` })}>{label}</GatedButton>))}
      </Space>) },
  ];
  const byDay = useMemo(() => {
    const map = new Map<string, Deadline[]>();
    for (const d of pages.nodes) map.set(d.dueOn, [...(map.get(d.dueOn) ?? []), d]);
    return map;
  }, [pages.nodes]);
  return (
    <>
      <PageTitle extra={<GatedButton type="primary" allowed={can(ASSET, "update")} onClick={() => setAdding(true)}>
        {t("addDeadline")}</GatedButton>}>{t("deadlinesTitle")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select aria-label={t("statusFilter")} style={{ width: 150 }} value={status} onChange={setStatus}
          options={optionsOf(DEADLINE_STATUSES, word)} />
        <Segmented aria-label={t("view")} value={view} onChange={(v) => setView(v as "list" | "calendar" | "forecast")}
          options={[{ value: "list", label: t("list") }, { value: "calendar", label: t("calendar") },
            { value: "forecast", label: t("forecast") }]} />
        <Typography.Text type="secondary">{t("shown", { count: pages.nodes.length })}</Typography.Text>
      </Space>
      <Problems error={pages.error} />
      {view === "forecast" ? <Forecast /> : view === "list" ? (
        <Table<Deadline> rowKey="id" columns={columns} dataSource={pages.nodes} loading={pages.isLoading}
          pagination={false} scroll={{ x: 1100 }}
          onRow={(d) => (d.status === "open" && daysUntil(d.dueOn) < 0 ? { style: { background: "#fff1f0" } } : {})} />
      ) : (
        <Calendar fullscreen
          headerRender={({ value, onChange }) => (
            <Space style={{ marginBottom: 8 }}>
              <Button aria-label={t("previousMonth")} onClick={() => onChange(value.subtract(1, "month"))}>‹</Button>
              <Typography.Text strong style={{ minWidth: 140, display: "inline-block", textAlign: "center" }}>
                {new Date(value.year(), value.month(), 1).toLocaleDateString(language, { year: "numeric", month: "long" })}
              </Typography.Text>
              <Button aria-label={t("nextMonth")} onClick={() => onChange(value.add(1, "month"))}>›</Button>
            </Space>)}
          fullCellRender={(date, info) => {
            if (info.type !== "date") return info.originNode;
            const due = byDay.get(date.format("YYYY-MM-DD")) ?? [];
            const inMonth = date.month() === month;
            const today = date.format("YYYY-MM-DD") === isoInDays(0);
            return (
              <div style={{ minHeight: 84, margin: "0 2px", padding: 4, textAlign: "left",
                borderTop: `2px solid ${today ? "#1f5fa8" : "#f0f0f0"}` }}>
                <div style={{ textAlign: "right", color: inMonth ? "rgba(0, 0, 0, 0.88)" : "rgba(0, 0, 0, 0.6)" }}>{date.date()}</div>
                <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
                  {due.map((d) => {
                    const late = d.status === "open" && daysUntil(d.dueOn) < 0;
                    return (
                      <li key={d.id} style={{ fontSize: 12, lineHeight: 1.4, ...(late ? DANGER_TEXT : {}) }}>
                        <Badge status={late ? "error" : d.status === "open" ? "warning" : "success"} />{" "}
                        {late ? `${t("overdue")}: ` : ""}{word(d.kind)}: {name(d)}
                      </li>);
                  })}
                </ul>
              </div>
            );
          }}
          onPanelChange={(value) => setMonth(value.month())} />
      )}
      {pages.hasNextPage ? (
        <div style={{ textAlign: "center", marginTop: 16 }}>
          <Button onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>{t("loadMore")}</Button>
        </div>
      ) : null}
      <AddDeadline open={adding} onClose={() => setAdding(false)} titles={titles} />
    </>
  );
}

/** The home widget: open deadlines due within 90 days (overdue ones first, as they sort). */
export function DeadlinesWidget() {
  const { t, word } = useTexts();
  const { navigate } = useExtension();
  const titles = useAssetTitles();
  const due = useTenantQuery(DeadlinesDocument, { status: "open", dueBefore: isoInDays(90), first: 8, after: null });
  const nodes = due.data?.ipAssetDeadlines.nodes ?? [];
  return (
    <>
      <Problems error={due.error} />
      {!due.isLoading && !nodes.length ? <Typography.Paragraph type="secondary">{t("noDeadlines")}</Typography.Paragraph> : null}
      {/* the list's own empty text is lighter than WCAG AA allows: the paragraph above says it */}
      <List size="small" loading={due.isLoading} dataSource={nodes} locale={{ emptyText: <span /> }}
        style={nodes.length || due.isLoading ? undefined : { display: "none" }}
        renderItem={(d) => (
          <List.Item>
            <Space orientation="vertical" size={0}>
              <Typography.Text>{word(d.kind)}: {titles.get(d.assetId) ?? d.assetId}</Typography.Text>
              <Due deadline={d} />
            </Space>
          </List.Item>)} />
      <Button type="link" onClick={() => navigate("/x/ip_governance/deadline-list")}>{t("widgetMore")}</Button>
    </>
  );
}
