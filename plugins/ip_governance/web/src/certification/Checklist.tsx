/** The GB/T 29490-2023 internal-audit checklist: every clause with its evidence present, stale
 * or missing, in the reader's language (the server writes the titles and reasons). */
import { Card, Col, List, Row, Space, Statistic, Table, Tag, Typography, type TableColumnsType } from "antd";
import { PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import type { IpgChecklistQuery } from "../../../../../web/src/gql/graphql";
import { useTenantQuery } from "../data";
import { ChecklistDocument } from "../operations";
import { useTexts } from "../texts";
import { tone, type Tone } from "../tone";

type Clause = IpgChecklistQuery["certificationChecklist"]["clauses"][number];
const TONE: Record<string, Tone> = { present: "good", stale: "warn", missing: "bad" };

function State(props: { status: string }) {
  const { t } = useTexts();
  const label = props.status === "present" ? t("present") : props.status === "stale" ? t("stale") : t("missing");
  return <Tag style={tone(TONE[props.status] ?? "plain")}>{label}</Tag>;
}

export function Checklist() {
  const { t } = useTexts();
  const { language } = useExtension();
  const checklist = useTenantQuery(ChecklistDocument, { locale: language === "zh-CN" ? "zh-CN" : "en" });
  const data = checklist.data?.certificationChecklist;
  const columns: TableColumnsType<Clause> = [
    { title: t("clause"), dataIndex: "clause", width: 90 },
    { title: t("status"), dataIndex: "status", width: 90, render: (v: string) => <State status={v} /> },
    { title: t("title"), dataIndex: "title" },
    { title: t("reason"), dataIndex: "reason" },
  ];
  return (
    <>
      <PageTitle>{t("certTitle")}</PageTitle>
      <Problems error={checklist.error} />
      {data ? (
        <Row gutter={16} style={{ marginBottom: 16 }}>
          <Col xs={8}><Card size="small"><Statistic title={t("present")} value={data.present} styles={{ content: { color: "#237804" } }} /></Card></Col>
          <Col xs={8}><Card size="small"><Statistic title={t("stale")} value={data.stale} styles={{ content: { color: "#ad4e00" } }} /></Card></Col>
          <Col xs={8}><Card size="small"><Statistic title={t("missing")} value={data.missing} styles={{ content: { color: "#a8071a" } }} /></Card></Col>
        </Row>
      ) : null}
      {data ? <Typography.Paragraph type="secondary">{data.standard} · {t("generatedAt", { when: formatDate(data.generatedAt, language) })}</Typography.Paragraph> : null}
      <Table<Clause> rowKey="clause" columns={columns} dataSource={data?.clauses ?? []} loading={checklist.isLoading}
        pagination={false} scroll={{ x: 760 }}
        expandable={{ rowExpandable: (c) => c.evidence.length > 0, expandedRowRender: (c) => (
          <List size="small" header={<Typography.Text strong>{t("evidence")}</Typography.Text>} dataSource={c.evidence}
            renderItem={(e) => (
              <List.Item>
                <Space wrap>
                  <State status={e.status} />
                  <Typography.Text>{e.label}</Typography.Text>
                  <Typography.Text type="secondary">{t("records", { count: e.count })}</Typography.Text>
                  {e.newestAt ? <Typography.Text type="secondary">{t("newest", { when: formatDate(e.newestAt, language) })}</Typography.Text> : null}
                  {e.reason ? <Typography.Text type="secondary">— {e.reason}</Typography.Text> : null}
                </Space>
              </List.Item>)} />
        ) }} />
    </>
  );
}
