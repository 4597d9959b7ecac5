/** Landscapes: document counts by CPC, assignee, applicant, year or office for any query, as a
 * chart and as the table it draws (the table is what screen readers read). */
import { Chart, PageTitle, Problems } from "@ipgov/workspace-sdk";
import { Card, Col, Form, Input, Row, Select, Table, Typography } from "antd";
import { useMemo, useState } from "react";
import { graphql } from "../../../../web/src/gql";
import { CollectionPicker } from "./Search";
import { useQ, useTenant } from "./data";
import { useT } from "./texts";

const LandscapeDocument = graphql(`
  query PatentSearchLandscape($tenantId: ID!, $by: String!, $query: String!, $collectionIds: [ID!], $limit: Int!) {
    patentLandscape(tenantId: $tenantId, by: $by, query: $query, collectionIds: $collectionIds, limit: $limit) {
      symbol title count
    }
  }
`);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const BY = ["cpc_subclass", "cpc_group", "assignee", "applicant", "year", "jurisdiction"] as const;
type By = (typeof BY)[number];

function Panel(props: { by: By; query: string; collections: string[] }) {
  const t = useT();
  const result = useQ(LandscapeDocument, { tenantId: useTenant(), by: props.by, query: props.query,
    collectionIds: props.collections.length ? props.collections : null, limit: 20 });
  const rows = useMemo(() => {
    const list = [...(result.data?.patentLandscape ?? [])];
    return props.by === "year" ? list.sort((a, b) => a.symbol.localeCompare(b.symbol)) : list;
  }, [result.data, props.by]);
  const what = t(`by_${props.by}`);
  const options = useMemo(() => {
    const vertical = props.by === "year";
    const names = rows.map((r) => r.symbol);
    const values = rows.map((r) => r.count);
    const category = { type: "category" as const, data: vertical ? names : [...names].reverse(),
      axisLabel: { width: 140, overflow: "truncate" as const } };
    const value = { type: "value" as const, minInterval: 1 };
    return {
      // plain text, escaped: the default tooltip's HTML carries inline styles, which the page's CSP refuses
      tooltip: { trigger: "axis" as const, formatter: (params: unknown) => {
        const [p] = params as { name: string; value: number }[];
        return p ? escapeHtml(`${p.name}: ${p.value}`) : "";
      } },
      grid: { left: vertical ? 40 : 150, right: 16, top: 16, bottom: 32 },
      xAxis: vertical ? category : value, yAxis: vertical ? value : category,
      series: [{ type: "bar" as const, data: vertical ? values : [...values].reverse(), itemStyle: { color: "#1677ff" } }],
    };
  }, [rows, props.by]);
  return (
    <Card size="small" title={<span role="heading" aria-level={3}>{what}</span>}>
      <Problems error={result.error} />
      <Chart label={t("chartOf", { what })} options={options} height={props.by === "year" ? 260 : Math.max(260, rows.length * 22 + 48)} />
      <Table size="small" rowKey="symbol" loading={result.isPending} dataSource={rows} pagination={false}
        columns={[
          { title: t("value"), render: (_: unknown, r) => <>{r.symbol}{r.title && r.title !== r.symbol
            ? <Typography.Text type="secondary"> {r.title}</Typography.Text> : null}</> },
          { title: t("count"), dataIndex: "count", width: 110, align: "right" },
        ]} />
    </Card>
  );
}

export function Landscape() {
  const t = useT();
  const [query, setQuery] = useState("");
  const [collections, setCollections] = useState<string[]>([]);
  const [shown, setShown] = useState<By[]>(["cpc_subclass", "assignee", "year", "jurisdiction"]);
  return (
    <>
      <PageTitle>{t("landscapeTitle")}</PageTitle>
      <Typography.Paragraph type="secondary">{t("landscapeIntro")}</Typography.Paragraph>
      <Form layout="vertical">
        <Row gutter={16}>
          <Col xs={24} lg={10}>
            <Form.Item label={t("query")} htmlFor="patent-landscape-query">
              <Input.Search id="patent-landscape-query" placeholder={t("queryPlaceholder")} enterButton={t("update")}
                allowClear maxLength={2000} onSearch={(v) => setQuery(v.trim())} />
            </Form.Item>
          </Col>
          <Col xs={24} lg={7}>
            <Form.Item label={t("collections")}><CollectionPicker value={collections} onChange={setCollections} /></Form.Item>
          </Col>
          <Col xs={24} lg={7}>
            <Form.Item label={t("charts")}>
              <Select mode="multiple" aria-label={t("charts")} value={shown} onChange={(v: By[]) => setShown(v)}
                options={BY.map((b) => ({ value: b, label: t(`by_${b}`) }))} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      <Row gutter={[16, 16]}>
        {shown.map((by) => <Col key={by} xs={24} xl={12}><Panel by={by} query={query} collections={collections} /></Col>)}
      </Row>
    </>
  );
}
