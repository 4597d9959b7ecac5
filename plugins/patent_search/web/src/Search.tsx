/** Search: the fielded query box with its help, CPC-titled facets, highlighted results a page at
 * a time (signed cursors), and the document beside the list. */
import { PageTitle, Problems, formatDate, useExtension, Pager, useCursor } from "@ipgov/workspace-sdk";
import { Alert, Button, Card, Col, Collapse, Empty, Form, Input, List, Row, Segmented, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import { DocumentDrawer, type DocumentRef } from "./Document";
import { Highlighted, PAGE, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const SearchDocument = graphql(`
  query PatentSearchPage($tenantId: ID!, $query: String!, $collectionIds: [ID!], $first: Int!, $after: String, $mode: String!) {
    patentSearch(tenantId: $tenantId, query: $query, collectionIds: $collectionIds, first: $first, after: $after,
                 facets: true, mode: $mode) {
      total totalRelation rankedBy nextCursor
      notices { code message }
      hits { collectionId publicationNumber title score snippets publicationDate cpc assignees jurisdiction }
      facets { name missing buckets { symbol title count } }
    }
  }
`);

export const CollectionsDocument = graphql(`
  query PatentSearchCollections($tenantId: ID!) {
    patentCollections(tenantId: $tenantId) {
      id tenantId name kind description source sharedWithGroup documentCount writable updatedAt
    }
  }
`);

const FACETS = ["cpc_subclass", "cpc_group", "jurisdiction", "year", "assignee"] as const;
type FacetName = (typeof FACETS)[number];

/** The clause a facet value adds to the query. */
function clause(facet: string, symbol: string): string {
  if (facet.startsWith("cpc")) return `cpc:${symbol}`;
  if (facet === "jurisdiction") return `jurisdiction:${symbol}`;
  if (facet === "year") return `year:${symbol}`;
  return `assignee:"${symbol.replaceAll('"', "")}"`;
}

/** The syntax of docs/patent_search.md, with the meaning in the reader's language. */
export function QueryHelp() {
  const t = useT();
  const rows = [
    ["neural network", t("h_words")], ['"neural network"', t("h_phrase")],
    ["title: abstract: claims: description: (ti: ab: cl: desc:)", t("h_fields")],
    ['assignee:"IBM"  applicant:  inventor:', t("h_parties")],
    ["cpc:G06N3/  ipc:H04L", t("h_class")],
    ['jurisdiction:CN  pn:US7654321  pn:"US 7,654,321 B2"', t("h_office")],
    ["date:[2015-01-01 TO 2020-12-31]  year:2019  pd>=2018", t("h_date")],
    ["AND  OR  NOT  ( )  title:(robot OR drone)", t("h_bool")], ["neur*", t("h_wild")],
    ["电池 隔膜  锂电池 separator", t("h_cjk")],
  ];
  return (
    <Collapse size="small" items={[{ key: "help", label: t("syntaxHelp"), children: (
      <>
        <Table size="small" pagination={false} rowKey={(r) => r[0]} dataSource={rows} columns={[
          { title: t("syntax"), render: (_: unknown, r: string[]) => <Typography.Text code>{r[0]}</Typography.Text> },
          { title: t("meaning"), render: (_: unknown, r: string[]) => r[1] },
        ]} />
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>{t("h_bounds")}</Typography.Paragraph>
      </>) }]} />
  );
}

export function CollectionPicker(props: { value: string[]; onChange: (ids: string[]) => void }) {
  const t = useT();
  const collections = useQ(CollectionsDocument, { tenantId: useTenant() });
  return (
    <Select mode="multiple" allowClear aria-label={t("collections")} placeholder={t("allCollections")}
      style={{ minWidth: 240, maxWidth: "100%" }} value={props.value} onChange={props.onChange}
      loading={collections.isPending}
      options={(collections.data?.patentCollections ?? []).map((c) => ({
        value: c.id, label: `${c.name} (${c.documentCount})` }))} />
  );
}

function Facets(props: { facets: readonly { name: string; missing: number; buckets: readonly { symbol: string; title: string; count: number }[] }[];
  onPick: (clause: string) => void }) {
  const t = useT();
  const known = props.facets.filter((f) => (FACETS as readonly string[]).includes(f.name))
    .sort((a, b) => FACETS.indexOf(a.name as FacetName) - FACETS.indexOf(b.name as FacetName));
  return (
    <Space orientation="vertical" style={{ width: "100%" }} size="small">
      {known.map((f) => (
        <Card key={f.name} size="small" title={<span role="heading" aria-level={3}>{t(`facet_${f.name}` as "facet_year")}</span>}>
          <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {f.buckets.slice(0, 10).map((b) => (
              <li key={b.symbol} style={{ display: "flex", justifyContent: "space-between", gap: 8 }}>
                <Button type="link" size="small" style={{ padding: 0, height: "auto", whiteSpace: "normal", textAlign: "start", display: "block", minWidth: 0 }}
                  title={t("addFilter", { value: clause(f.name, b.symbol) })}
                  onClick={() => props.onPick(clause(f.name, b.symbol))}>
                  <span>{b.symbol}</span>
                  {b.title && b.title !== b.symbol ? <span style={{ display: "-webkit-box", WebkitLineClamp: 2, WebkitBoxOrient: "vertical",
                    overflow: "hidden", color: "rgba(0,0,0,0.65)", fontSize: 12}}>
                    {b.title}</span> : null}
                </Button>
                <Typography.Text>{b.count}</Typography.Text>
              </li>))}
          </ul>
          {f.missing ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t("missing", { count: f.missing })}</Typography.Text> : null}
        </Card>))}
    </Space>
  );
}

export function Search() {
  const t = useT();
  const { language } = useExtension();
  const tenantId = useTenant();
  const [form] = Form.useForm<{ query: string }>();
  const [query, setQuery] = useState("");
  const [mode, setMode] = useState("bm25");
  const [collections, setCollections] = useState<string[]>([]);
  const cursor = useCursor();
  const [open, setOpen] = useState<DocumentRef | null>(null);
  const after = cursor.after;
  const result = useQ(SearchDocument, { tenantId, query, mode, first: PAGE, after,
    collectionIds: collections.length ? collections : null }, { enabled: !!query.trim() });
  const page = result.data?.patentSearch;

  function run(text: string) {
    setQuery(text.trim());
    cursor.reset();
  }
  function pick(extra: string) {
    const next = query ? `${query} AND ${extra}` : extra;
    form.setFieldValue("query", next);
    run(next);
  }

  return (
    <>
      <PageTitle>{t("searchTitle")}</PageTitle>
      <Form form={form} layout="vertical" onFinish={(v) => run(v.query ?? "")} initialValues={{ query: "" }}>
        <Form.Item name="query" label={t("query")} style={{ marginBottom: 8 }}>
          <Input.Search placeholder={t("queryPlaceholder")} enterButton={t("search")} allowClear maxLength={2000}
            onSearch={(v) => run(v)} />
        </Form.Item>
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented aria-label={t("mode")} value={mode} onChange={(v) => { setMode(String(v)); cursor.reset(); }}
            options={[{ value: "bm25", label: t("bm25") }, { value: "semantic", label: t("semantic") },
              { value: "hybrid", label: t("hybrid") }]} />
          <CollectionPicker value={collections} onChange={(ids) => { setCollections(ids); cursor.reset(); }} />
        </Space>
      </Form>
      <div style={{ marginBottom: 16 }}><QueryHelp /></div>
      <Problems error={result.error} />
      {!query ? <Typography.Paragraph type="secondary">{t("enterQuery")}</Typography.Paragraph> : null}
      {page ? (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={7}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>{t("facets")}</Typography.Title>
            <Facets facets={page.facets} onPick={pick} />
          </Col>
          <Col xs={24} lg={17}>
            <Space wrap style={{ marginBottom: 8 }}>
              <Typography.Text strong data-testid="patent-total">
                {t(page.totalRelation === "gte" ? "totalAtLeast" : "total", { total: page.total })}</Typography.Text>
              <Typography.Text type="secondary">{t("rankedBy", { mode: t(page.rankedBy as "bm25") })}</Typography.Text>
            </Space>
            {page.notices.map((n) => <Alert key={n.code} type="info" showIcon style={{ marginBottom: 8 }}
              title={<><Typography.Text code>{n.code}</Typography.Text> {n.message}</>} />)}
            <List aria-label={t("searchTitle")} dataSource={[...page.hits]} loading={result.isFetching}
              locale={{ emptyText: <Empty description={t("noHits")} /> }}
              renderItem={(h) => (
                <List.Item key={`${h.collectionId}:${h.publicationNumber}`}>
                  <Space orientation="vertical" size={2} style={{ width: "100%" }}>
                    <Button type="link" style={{ padding: 0, height: "auto", whiteSpace: "normal", textAlign: "start", fontWeight: 600 }}
                      onClick={() => setOpen({ collectionId: h.collectionId, publicationNumber: h.publicationNumber })}>
                      {h.title}</Button>
                    <Space size={[8, 4]} wrap>
                      <Typography.Text>{h.publicationNumber}</Typography.Text>
                      <Typography.Text type="secondary">{formatDate(h.publicationDate, language)}</Typography.Text>
                      <Tag>{h.jurisdiction}</Tag>
                      {h.assignees.slice(0, 2).map((a) => <Typography.Text key={a} type="secondary">{a}</Typography.Text>)}
                    </Space>
                    {Object.entries((h.snippets ?? {}) as Record<string, string>).slice(0, 2).map(([field, html]) => (
                      <Typography.Paragraph key={field} style={{ margin: 0 }}>
                        <Typography.Text type="secondary">{field}: </Typography.Text><Highlighted html={html} />
                      </Typography.Paragraph>))}
                    {h.cpc.length ? <Space size={[4, 4]} wrap>{h.cpc.slice(0, 6).map((c) => <Tag key={c} color="blue">{c}</Tag>)}</Space> : null}
                  </Space>
                </List.Item>)} />
            <Pager cursor={cursor} info={{ hasNextPage: Boolean(page.nextCursor), endCursor: page.nextCursor }} />
          </Col>
        </Row>) : null}
      <DocumentDrawer document={open} onClose={() => setOpen(null)} />
    </>
  );
}
