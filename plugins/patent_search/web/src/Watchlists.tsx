/** Watchlists and their matches (acknowledge what was assessed), and the home widget with the
 * new matches. */
import { GatedButton, PageTitle, Pager, Problems, formatDate, useCursor, useExtension } from "@ipgov/workspace-sdk";
import { App, Button, Card, Col, Form, Input, Row, Segmented, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import { DocumentDrawer, type DocumentRef } from "./Document";
import { PAGE, WATCH, useM, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const WatchlistsDocument = graphql(`
  query PatentSearchWatchlists($tenantId: ID!, $first: Int!, $after: String) {
    patentWatchlists(tenantId: $tenantId, first: $first, after: $after) {
      nodes { id name direction cpc keywords assignees query severity active }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const MatchesDocument = graphql(`
  query PatentSearchWatchlistMatches($tenantId: ID!, $watchlistId: ID, $acknowledged: Boolean, $first: Int!, $after: String) {
    patentWatchlistMatches(tenantId: $tenantId, watchlistId: $watchlistId, acknowledged: $acknowledged, first: $first, after: $after) {
      nodes { id watchlistId collectionId publicationNumber title score matchedAt acknowledged }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const AcknowledgeDocument = graphql(`
  mutation PatentSearchAcknowledge($tenantId: ID!, $matchIds: [ID!]!) {
    acknowledgePatentMatches(tenantId: $tenantId, matchIds: $matchIds) { deleted errors { code message field } }
  }
`);

const CreateWatchlistDocument = graphql(`
  mutation PatentSearchCreateWatchlist($tenantId: ID!, $input: WatchlistInput!) {
    createPatentWatchlist(tenantId: $tenantId, input: $input) { watchlist { id name } errors { code message field } }
  }
`);

const SEVERITY_COLOR: Record<string, string> = { critical: "red", high: "volcano", medium: "gold", low: "blue", info: "default" };
/** Entries of a comma-separated text (CPC prefixes, keywords: never a comma inside), or of a
 * tags field as they are (assignees: "Samsung Electronics Co., Ltd." is one name). */
const split = (v?: string | string[]) => (Array.isArray(v) ? v : (v ?? "").split(",")).map((s) => s.trim()).filter(Boolean);

function NewWatchlist() {
  const t = useT();
  const { message } = App.useApp();
  const tenantId = useTenant();
  const [form] = Form.useForm();
  const create = useM(CreateWatchlistDocument);
  const payload = create.data?.createPatentWatchlist;
  async function submit(v: Record<string, string | undefined> & { assignees?: string[] }) {
    const result = (await create.mutateAsync({ tenantId, input: {
      name: v.name ?? "", direction: v.direction ?? "", cpc: split(v.cpc), keywords: split(v.keywords),
      assignees: split(v.assignees), query: v.query ?? "", severity: v.severity ?? "medium", active: true } })).createPatentWatchlist;
    if (!result.errors.length) { form.resetFields(); void message.success(t("created")); }
  }
  return (
    <Card size="small" title={<span role="heading" aria-level={3}>{t("newWatchlist")}</span>}>
      <Typography.Paragraph type="secondary">{t("watchHelp")}</Typography.Paragraph>
      <Problems errors={payload?.errors} error={create.error} />
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ severity: "medium" }}>
        <Form.Item name="name" label={t("name")} rules={[{ required: true }]}><Input maxLength={200} /></Form.Item>
        <Form.Item name="direction" label={t("direction")}><Input maxLength={200} /></Form.Item>
        <Form.Item name="cpc" label={t("cpc")}><Input placeholder="H01L21, G06N3/" /></Form.Item>
        <Form.Item name="keywords" label={t("keywords")}><Input /></Form.Item>
        <Form.Item name="assignees" label={t("assignees")}>
          <Select mode="tags" suffixIcon={null} notFoundContent={null} tokenSeparators={[]} />
        </Form.Item>
        <Form.Item name="query" label={t("query")}><Input /></Form.Item>
        <Form.Item name="severity" label={t("severity")}>
          <Select options={["info", "low", "medium", "high", "critical"].map((s) => ({ value: s, label: s }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending}>{t("createWatchlist")}</Button>
      </Form>
    </Card>
  );
}

function Matches(props: { watchlists: readonly { id: string; name: string }[] }) {
  const t = useT();
  const { language, can } = useExtension();
  const { message } = App.useApp();
  const tenantId = useTenant();
  const [watchlistId, setWatchlistId] = useState<string | null>(null);
  const [state, setState] = useState("new");
  const [selected, setSelected] = useState<string[]>([]);
  const [open, setOpen] = useState<DocumentRef | null>(null);
  const cursor = useCursor();
  const matches = useQ(MatchesDocument, { tenantId, watchlistId, first: PAGE, after: cursor.after,
    acknowledged: state === "all" ? null : state === "assessed" });
  const ack = useM(AcknowledgeDocument);
  const mayUpdate = can(WATCH, "update");
  const names = new Map(props.watchlists.map((w) => [w.id, w.name]));
  const data = matches.data?.patentWatchlistMatches;
  async function acknowledge(ids: string[]) {
    const result = (await ack.mutateAsync({ tenantId, matchIds: ids })).acknowledgePatentMatches;
    if (!result.errors.length) { setSelected([]); void message.success(t("acknowledged")); }
  }
  return (
    <Card size="small" title={<span role="heading" aria-level={3}>{t("matches")}</span>} extra={
      <Space wrap>
        <Select aria-label={t("watchlist")} style={{ minWidth: 200 }} value={watchlistId ?? ""}
          onChange={(v: string) => { setWatchlistId(v || null); cursor.reset(); }}
          options={[{ value: "", label: t("allMatches") }, ...props.watchlists.map((w) => ({ value: w.id, label: w.name }))]} />
        <Segmented aria-label={t("matches")} value={state} onChange={(v) => { setState(String(v)); cursor.reset(); }}
          options={[{ value: "new", label: t("unassessed") }, { value: "assessed", label: t("assessed") }, { value: "all", label: t("all") }]} />
      </Space>}>
      <Problems errors={ack.data?.acknowledgePatentMatches.errors} error={matches.error ?? ack.error} />
      <GatedButton allowed={mayUpdate} disabled={!selected.length} loading={ack.isPending} style={{ marginBottom: 8 }}
        onClick={() => void acknowledge(selected)}>{t("acknowledgeSelected", { count: selected.length })}</GatedButton>
      <div style={{ overflowX: "auto" }} tabIndex={0} role="region" aria-label={t("matches")}>
      <Table size="small" rowKey="id" loading={matches.isPending} dataSource={[...(data?.nodes ?? [])]} pagination={false}
        locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.65)" }}>{t("noMatches")}</span> }}
        rowSelection={mayUpdate ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)),
          getCheckboxProps: (m) => ({ disabled: m.acknowledged, "aria-label": t("selectMatch", { number: m.publicationNumber }) }) } : undefined}
        columns={[
          { title: t("publicationNumber"), render: (_: unknown, m) => (
            <Button type="link" style={{ padding: 0 }} onClick={() => setOpen({ collectionId: m.collectionId, publicationNumber: m.publicationNumber })}>
              {m.publicationNumber}</Button>) },
          { title: t("title"), dataIndex: "title" },
          { title: t("watchlist"), render: (_: unknown, m) => names.get(m.watchlistId) ?? m.watchlistId },
          { title: t("score"), dataIndex: "score", render: (v: number) => v.toFixed(2) },
          { title: t("matchedAt"), dataIndex: "matchedAt", render: (v: string) => formatDate(v, language) },
          { title: t("actions"), render: (_: unknown, m) => m.acknowledged ? <Tag>{t("assessed")}</Tag>
            : <GatedButton allowed={mayUpdate} size="small" aria-label={`${t("acknowledge")} ${m.publicationNumber}`}
              onClick={() => void acknowledge([m.id])}>{t("acknowledge")}</GatedButton> },
        ]} />
      </div>
      <Pager cursor={cursor} info={data?.pageInfo} />
      <DocumentDrawer document={open} onClose={() => setOpen(null)} />
    </Card>
  );
}

export function Watchlists() {
  const t = useT();
  const { can } = useExtension();
  const tenantId = useTenant();
  const cursor = useCursor();
  const lists = useQ(WatchlistsDocument, { tenantId, first: 100, after: cursor.after });
  const data = lists.data?.patentWatchlists;
  return (
    <>
      <PageTitle>{t("watchTitle")}</PageTitle>
      <Problems error={lists.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={can(WATCH, "create") ? 16 : 24}>
          <Table size="small" rowKey="id" loading={lists.isPending} dataSource={[...(data?.nodes ?? [])]} pagination={false}
            scroll={{ x: true }} columns={[
              { title: t("name"), dataIndex: "name" },
              { title: t("direction"), dataIndex: "direction" },
              { title: t("query"), dataIndex: "query", render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
              { title: t("severity"), dataIndex: "severity", render: (v: string) => <Tag color={SEVERITY_COLOR[v]}>{v}</Tag> },
              { title: t("active"), dataIndex: "active", render: (v: boolean) => v ? t("yes") : t("no") },
            ]} />
          <Pager cursor={cursor} info={data?.pageInfo} />
          <div style={{ marginTop: 16 }}><Matches watchlists={data?.nodes ?? []} /></div>
        </Col>
        {can(WATCH, "create") ? <Col xs={24} xl={8}><NewWatchlist /></Col> : null}
      </Row>
    </>
  );
}

/** Home widget: how many matches wait to be assessed, the latest five. */
export function MatchesWidget() {
  const t = useT();
  const { navigate } = useExtension();
  const matches = useQ(MatchesDocument, { tenantId: useTenant(), watchlistId: null, acknowledged: false, first: 5, after: null });
  const nodes = matches.data?.patentWatchlistMatches.nodes ?? [];
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Problems error={matches.error} />
      {matches.isPending ? null : <Typography.Text strong>
        {nodes.length ? t("widgetCount", { count: matches.data?.patentWatchlistMatches.pageInfo.hasNextPage ? `${nodes.length}+` : nodes.length })
          : t("widgetEmpty")}</Typography.Text>}
      <ul style={{ margin: 0, paddingInlineStart: 18 }}>
        {nodes.map((m) => <li key={m.id}><Typography.Text>{m.publicationNumber}</Typography.Text>{" "}
          <Typography.Text type="secondary">{m.title}</Typography.Text></li>)}
      </ul>
      <Button type="link" style={{ padding: 0 }} onClick={() => navigate("/x/patent_search/watchlists")}>{t("openWatchlists")}</Button>
    </Space>
  );
}
