/** The framework profile: current against target tier per function (a radar), and the gaps
 * sorted by priority (gap × weight), a page at a time. */
import { Button, Card, Col, Row, Space, Table, Tag, Typography, type TableColumnsType } from "antd";
import { Chart, PageTitle, Problems, formatDate, useExtension, type ChartOptions } from "@ipgov/workspace-sdk";
import { useMemo } from "react";
import type { IpgGapsQuery } from "../../../../../web/src/gql/graphql";
import { PAGE, useTenantPages, useTenantQuery } from "../data";
import { GapsDocument, ProfileDocument } from "../operations";
import { useTexts } from "../texts";
import { tone } from "../tone";

type Gap = IpgGapsQuery["gapAnalysis"]["nodes"][number];

/** The mean tier of a function's assessed outcomes (0 when none is assessed yet). */
function average(tiers: Map<string, number>, outcomes: string[]): number {
  const assessed = outcomes.filter((id) => tiers.has(id));
  if (!assessed.length) return 0;
  return Math.round((assessed.reduce((sum, id) => sum + (tiers.get(id) ?? 0), 0) / assessed.length) * 100) / 100;
}

export function Profile() {
  const { t, word } = useTexts();
  const { language } = useExtension();
  const zh = language === "zh-CN";
  const profile = useTenantQuery(ProfileDocument, {});
  const gaps = useTenantPages(GapsDocument, { first: PAGE, after: null }, (d) => d.gapAnalysis);
  const radar = useMemo(() => {
    const data = profile.data;
    if (!data) return null;
    const current = new Map(data.current.entries.map((e) => [e.outcomeId, e.tier]));
    const target = new Map(data.target.entries.map((e) => [e.outcomeId, e.tier]));
    const functions = data.framework.functions.map((f) => ({
      name: zh ? f.title.zh : f.title.en,
      outcomes: f.categories.flatMap((c) => c.outcomes.map((o) => o.id)),
    }));
    const options: ChartOptions = {
      tooltip: {}, legend: { bottom: 0, data: [t("currentProfile"), t("targetProfile")] },
      radar: { indicator: functions.map((f) => ({ name: f.name, max: 4 })), radius: "62%" },
      series: [{ type: "radar", data: [
        { name: t("currentProfile"), value: functions.map((f) => average(current, f.outcomes)), areaStyle: { opacity: 0.25 } },
        { name: t("targetProfile"), value: functions.map((f) => average(target, f.outcomes)), lineStyle: { type: "dashed" } },
      ] }],
    };
    return { options, functions, current, target };
  }, [profile.data, zh, t]);
  const columns: TableColumnsType<Gap> = [
    { title: t("priority"), dataIndex: "priority", width: 90, render: (v: number) => <Tag style={tone(v >= 6 ? "bad" : v >= 3 ? "warn" : "plain")}>{v}</Tag> },
    { title: t("outcome"), key: "outcome", render: (_, g) => (
      <Space orientation="vertical" size={0}><Typography.Text code>{g.outcomeId}</Typography.Text>
        <Typography.Text>{zh ? g.title.zh : g.title.en}</Typography.Text></Space>) },
    { title: t("domain"), dataIndex: "domain", width: 150, render: (v: string) => word(v) },
    { title: t("current"), dataIndex: "current", width: 80, render: (v: number | null) => v ?? "—" },
    { title: t("target"), dataIndex: "target", width: 80 },
    { title: t("gap"), dataIndex: "gap", width: 70 },
    { title: t("weight"), dataIndex: "weight", width: 80 },
  ];
  const data = profile.data;
  return (
    <>
      <PageTitle>{t("profileTitle")}</PageTitle>
      <Problems error={profile.error ?? gaps.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t("radar")} loading={profile.isLoading}>
            {radar ? <Chart label={t("radar")} options={radar.options} height={360} /> : null}
            {data ? (
              <Space orientation="vertical" size={0}>
                <Typography.Text type="secondary">{data.framework.id} {data.framework.version} · {t("currentProfile")}:{" "}
                  {data.current.assessedAt ? t("assessedAt", { when: formatDate(data.current.assessedAt, language) }) : t("neverAssessed")}</Typography.Text>
                <Typography.Text type="secondary">{t("targetProfile")}:{" "}
                  {data.target.assessedAt ? t("assessedAt", { when: formatDate(data.target.assessedAt, language) }) : t("neverAssessed")}</Typography.Text>
              </Space>
            ) : null}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t("averageTier")}>
            <Table size="small" rowKey="name" pagination={false} dataSource={radar?.functions ?? []} columns={[
              { title: t("function"), dataIndex: "name" },
              { title: t("current"), key: "c", render: (_: unknown, f: { outcomes: string[] }) => radar ? average(radar.current, f.outcomes) : "" },
              { title: t("target"), key: "t", render: (_: unknown, f: { outcomes: string[] }) => radar ? average(radar.target, f.outcomes) : "" },
            ]} />
          </Card>
        </Col>
      </Row>
      <Typography.Title level={3} style={{ marginTop: 24 }}>{t("gaps")}</Typography.Title>
      <Table<Gap> rowKey="outcomeId" columns={columns} dataSource={gaps.nodes} loading={gaps.isLoading} pagination={false} scroll={{ x: 760 }} />
      {gaps.hasNextPage ? (
        <div style={{ textAlign: "center", marginTop: 16 }}>
          <Button onClick={() => void gaps.fetchNextPage()} loading={gaps.isFetchingNextPage}>{t("loadMore")}</Button>
        </div>
      ) : null}
    </>
  );
}
