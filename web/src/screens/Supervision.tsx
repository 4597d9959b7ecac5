/** Supervision: the heatmap of supervised tenants × functions (a score with its coverage; a cell
 * no check could assess says so), drill-down into a tenant, and every export one click away. */
import { Button, Card, Col, Descriptions, Drawer, Empty, List, Row, Space, Table, Typography } from "antd";
import { Tag } from "../app/Tag";
import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Chart } from "../app/Chart";
import { useGql } from "../app/data";
import { formatDate, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";
import type { SupervisionQuery } from "../gql/graphql";

const SupervisionDocument = graphql(`
  query Supervision($rootId: ID) {
    supervisionOverview(rootId: $rootId, first: 100) {
      nodes {
        tenant { id slug name depth governanceModeLabel statusLabel }
        latestFinishedAt overdueDirectives risksAboveTolerance escalationsAwaiting
        auditTrail { ok events problem }
        overallScore { score coverage assessment assessmentLabel }
        functionScores { key label score coverage assessment assessmentLabel }
        openFindings { severity count }
        trend { runId finishedAt overall coverage }
      }
    }
    downloadLinks { title url }
  }
`);

const DetailDocument = graphql(`
  query SupervisionDetail($tenantId: ID!) {
    supervisionTenantDetail(tenantId: $tenantId, findingsFirst: 50) {
      tenant { id name slug governanceModeLabel }
      latestRun { id finishedAt overallScore { score coverage assessmentLabel } }
      findings { nodes { id title severityLabel functionLabel recommendation } }
      openDirectives { id action dueAt statusLabel }
      escalationsAwaiting { id subject decisionType }
    }
    downloadLinks(tenantId: $tenantId) { title url }
  }
`);

type Row = SupervisionQuery["supervisionOverview"]["nodes"][number];

export function heatmapCells(rows: readonly Row[]) {
  const functions = rows[0]?.functionScores.map((f) => ({ key: f.key, label: f.label })) ?? [];
  const cells = rows.flatMap((row, y) => [...row.functionScores, row.overallScore].map((s, x) =>
    ({ value: [x, y, s.score == null ? null : Math.round(s.score)], coverage: s.coverage, assessment: s.assessmentLabel })));
  return { functions, cells };
}

function trendChart(points: Row["trend"], t: (key: string) => string, lang: string) {
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: "category", data: points.map((p) => formatDate(p.finishedAt, lang)) },
    yAxis: { type: "value", min: 0, max: 100 },
    series: [{ type: "line", name: t("supervision.overall"), connectNulls: false,
      data: points.map((p) => p.overall == null ? null : Math.round(p.overall)) }],
  };
}

function Detail(props: { tenantId: string; trend: Row["trend"]; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const query = useGql(DetailDocument, { tenantId: props.tenantId });
  const d = query.data?.supervisionTenantDetail;
  return (
    <Drawer open onClose={props.onClose} size={640} title={d ? `${t("supervision.detail")}: ${d.tenant.name}` : t("common.loading")}>
      <Problems error={query.error} />
      {d ? <Space direction="vertical" style={{ width: "100%" }}>
        <Descriptions size="small" column={1} items={[
          { key: "m", label: "mode", children: d.tenant.governanceModeLabel },
          { key: "r", label: t("supervision.lastReview"), children: d.latestRun ? `${formatDate(d.latestRun.finishedAt, i18n.language)} · ${
            d.latestRun.overallScore.score == null ? d.latestRun.overallScore.assessmentLabel : Math.round(d.latestRun.overallScore.score)}`
            : t("supervision.noReview") },
        ]} />
        {props.trend.length > 1 ? <Chart label={t("supervision.trend")} height={180}
          options={trendChart(props.trend, t, i18n.language)} /> : null}
        <Typography.Title level={3} style={{ fontSize: 16 }}>{t("supervision.openFindings")}</Typography.Title>
        <List size="small" bordered dataSource={[...d.findings.nodes]} renderItem={(f) => <List.Item>
          <List.Item.Meta title={<Space><Tag>{f.severityLabel}</Tag>{f.title}</Space>} description={`${f.functionLabel} · ${f.recommendation}`} />
        </List.Item>} />
        <Typography.Title level={3} style={{ fontSize: 16 }}>{t("directives.title")}</Typography.Title>
        <List size="small" dataSource={[...d.openDirectives]} renderItem={(x) => <List.Item>{x.action} <Tag>{formatDate(x.dueAt, i18n.language)}</Tag></List.Item>} />
        <Typography.Title level={3} style={{ fontSize: 16 }}>{t("supervision.downloads")}</Typography.Title>
        <List size="small" dataSource={[...(query.data?.downloadLinks ?? [])]} renderItem={(l) => <List.Item><a href={l.url}>{l.title}</a></List.Item>} />
      </Space> : null}
    </Drawer>
  );
}

export function Supervision() {
  const { t, i18n } = useTranslation();
  const { tenant } = useWorkspace();
  const query = useGql(SupervisionDocument, { rootId: tenant.id });
  const rows = useMemo(() => query.data?.supervisionOverview.nodes ?? [], [query.data]);
  const [detail, setDetail] = useState<string | null>(null);
  const { functions, cells } = useMemo(() => heatmapCells(rows), [rows]);
  const options = useMemo(() => ({
    tooltip: { formatter: (p: { data: { value: [number, number, number | null]; coverage: number | null; assessment: string } }) => {
      const [x, y, score] = p.data.value;
      const fn = x < functions.length ? functions[x].label : t("supervision.overall");
      return `${rows[y]?.tenant.name}<br/>${fn}: ${score == null ? p.data.assessment
        : `${score} · ${t("reviews.coverage", { value: Math.round(100 * (p.data.coverage ?? 0)) })}`}`;
    } },
    grid: { left: 160, right: 24, top: 8, bottom: 64 },
    xAxis: { type: "category", data: [...functions.map((f) => f.label), t("supervision.overall")], axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "category", data: rows.map((r) => r.tenant.name), inverse: true },
    visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0, show: false,
      inRange: { color: ["#c0392b", "#f39c12", "#f1c40f", "#27ae60"] } },
    series: [{ type: "heatmap", data: cells, label: { show: true, formatter: (p: { data: { value: [number, number, number | null] } }) =>
      p.data.value[2] == null ? "—" : String(p.data.value[2]) }, itemStyle: { borderColor: "#fff", borderWidth: 1 } }],
  }), [functions, cells, rows, t]);
  const onClick = useCallback((p: { data?: unknown }) => {
    const value = (p.data as { value?: number[] } | undefined)?.value;
    if (value) setDetail(rows[value[1]]?.tenant.id ?? null);
  }, [rows]);
  return (
    <>
      <PageTitle extra={<Space wrap>{(query.data?.downloadLinks ?? []).map((l) =>
        <Button key={l.url} href={l.url}>{l.title}</Button>)}</Space>}>{t("supervision.title")}</PageTitle>
      <Problems error={query.error} />
      <Row gutter={[16, 16]}>
        <Col span={24}><Card size="small" title={t("supervision.heatmap")} loading={query.isPending}>
          {rows.length ? <Chart label={t("supervision.heatmap")} options={options} height={96 + 36 * rows.length} onClick={onClick} />
            : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
          <Typography.Paragraph type="secondary">{t("supervision.coverageNote")}</Typography.Paragraph>
        </Card></Col>
        <Col span={24}><Table rowKey={(r) => r.tenant.id} size="small" dataSource={[...rows]} pagination={false} scroll={{ x: true }}
          onRow={(r) => ({ onClick: () => setDetail(r.tenant.id) })} columns={[
            { title: t("supervision.tenant"), render: (_: unknown, r: Row) => <a onClick={(e) => { e.preventDefault(); setDetail(r.tenant.id); }}
              href={`#${r.tenant.slug}`} style={{ paddingInlineStart: 12 * r.tenant.depth }}>{r.tenant.name}</a> },
            { title: t("supervision.overall"), render: (_: unknown, r: Row) => r.overallScore.score == null ? r.overallScore.assessmentLabel
              : `${Math.round(r.overallScore.score)} · ${t("reviews.coverage", { value: Math.round(100 * (r.overallScore.coverage ?? 0)) })}` },
            { title: t("supervision.lastReview"), render: (_: unknown, r: Row) => r.latestFinishedAt ? formatDate(r.latestFinishedAt, i18n.language) : t("supervision.noReview") },
            { title: t("supervision.overdue"), dataIndex: "overdueDirectives" },
            { title: t("supervision.risks"), dataIndex: "risksAboveTolerance" },
            { title: t("supervision.escalations"), dataIndex: "escalationsAwaiting" },
            { title: t("supervision.auditTrail"), render: (_: unknown, r: Row) => <Tag color={r.auditTrail.ok ? "green" : "red"}>
              {r.auditTrail.ok ? t("supervision.intact") : t("supervision.broken")}</Tag> },
          ]} /></Col>
      </Row>
      {detail ? <Detail tenantId={detail} trend={rows.find((r) => r.tenant.id === detail)?.trend ?? []}
        onClose={() => setDetail(null)} /> : null}
    </>
  );
}
