/** The IP strategy as the director reads it: each strategy with its objectives, a KPI chart per
 * objective (measurements against the target) and the SWOT in four quadrants. */
import { Card, Col, Empty, Row, Space, Tag, Typography } from "antd";
import { Chart, PageTitle, Problems, formatDate, useExtension, type ChartOptions } from "@ipgov/workspace-sdk";
import type { IpgStrategyQuery } from "../../../../../web/src/gql/graphql";
import { useTenantQuery } from "../data";
import { StrategyDocument } from "../operations";
import { useTexts } from "../texts";

type Data = IpgStrategyQuery;
type Objective = Data["strategyObjectives"]["nodes"][number];
const QUADRANTS = ["strength", "weakness", "opportunity", "threat"] as const;

function KpiChart(props: { objective: Objective; measurements: Data["kpiMeasurements"]["nodes"] }) {
  const { t } = useTexts();
  const { language } = useExtension();
  const o = props.objective;
  const points = props.measurements.filter((m) => m.objectiveId === o.id)
    .sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
  if (!points.length) return <Typography.Text type="secondary">{t("noMeasurements")}</Typography.Text>;
  const label = t("kpiChart", { kpi: o.kpi || o.title });
  const options: ChartOptions = {
    tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, top: 24, bottom: 28 },
    xAxis: { type: "category", data: points.map((p) => formatDate(p.measuredAt.slice(0, 10), language)) },
    yAxis: { type: "value", name: o.kpiUnit },
    series: [{ type: "line", name: t("measured"), data: points.map((p) => p.value),
      markLine: o.targetValue == null ? undefined : { symbol: "none", data: [{ yAxis: o.targetValue }],
        label: { formatter: t("targetValue", { value: o.targetValue, unit: o.kpiUnit }) } } }],
  };
  return <Chart label={label} options={options} height={200} />;
}

export function Strategy() {
  const { t, word } = useTexts();
  const { language } = useExtension();
  const query = useTenantQuery(StrategyDocument, {});
  const data = query.data;
  return (
    <>
      <PageTitle>{t("strategyTitle")}</PageTitle>
      <Problems error={query.error} />
      {data && !data.ipStrategies.nodes.length ? <Empty description={t("noStrategy")} /> : null}
      {data?.ipStrategies.nodes.map((s) => (
        <Card key={s.id} style={{ marginBottom: 16 }} title={<Space wrap><span>{s.title}</span><Tag>{word(s.status)}</Tag></Space>}>
          <Typography.Paragraph>{s.summary}</Typography.Paragraph>
          <Typography.Paragraph type="secondary">
            {t("reassessEvery", { days: s.reassessmentCadenceDays })}
            {s.approvedAt ? ` · ${t("approvedAt", { when: formatDate(s.approvedAt, language) })}` : ""}
          </Typography.Paragraph>
          <Typography.Title level={4}>{t("objectives")}</Typography.Title>
          <Row gutter={[16, 16]}>
            {data.strategyObjectives.nodes.filter((o) => o.strategyId === s.id).map((o) => (
              <Col xs={24} lg={12} key={o.id}>
                <Card size="small" title={o.title} extra={o.owner ? <Typography.Text type="secondary">{o.owner}</Typography.Text> : null}>
                  {o.businessGoal ? <Typography.Paragraph>{o.businessGoal}</Typography.Paragraph> : null}
                  <Typography.Text strong>{o.kpi}</Typography.Text>{" "}
                  {o.targetValue != null ? <Tag>{t("targetValue", { value: o.targetValue, unit: o.kpiUnit })}</Tag> : null}
                  <KpiChart objective={o} measurements={data.kpiMeasurements.nodes} />
                </Card>
              </Col>))}
          </Row>
          <Typography.Title level={4} style={{ marginTop: 16 }}>{t("swot")}</Typography.Title>
          <Row gutter={[16, 16]}>
            {QUADRANTS.map((q) => (
              <Col xs={24} md={12} key={q}>
                <Card size="small" title={t(q)}>
                  <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                    {data.swotEntries.nodes.filter((e) => e.strategyId === s.id && e.category === q)
                      .map((e) => <li key={e.id}>{e.text}</li>)}
                  </ul>
                </Card>
              </Col>))}
          </Row>
        </Card>))}
    </>
  );
}
