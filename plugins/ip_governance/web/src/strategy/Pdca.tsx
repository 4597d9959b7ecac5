/** The management systems as a PDCA board: every cycle in the column of its next phase (or
 * complete), each system with its cadence and last complete cycle. */
import { Card, Col, Row, Space, Tag, Typography } from "antd";
import { PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { useTenantQuery } from "../data";
import { PdcaDocument } from "../operations";
import { useTexts } from "../texts";

const PHASES = ["plan", "do", "check", "act"] as const;
type Column = (typeof PHASES)[number] | "completeCycle";

export function Pdca() {
  const { t } = useTexts();
  const { language } = useExtension();
  const query = useTenantQuery(PdcaDocument, {});
  const systems = query.data?.managementSystems.nodes ?? [];
  const cycles = query.data?.pdcaCycles.nodes ?? [];
  const name = new Map(systems.map((s) => [s.id, s.name]));
  const columnOf = (c: (typeof cycles)[number]): Column => {
    const done = new Set(c.phases.map((p) => p.phase));
    return c.complete ? "completeCycle" : PHASES.find((p) => !done.has(p)) ?? "completeCycle";
  };
  const columns: Column[] = [...PHASES, "completeCycle"];
  return (
    <>
      <PageTitle>{t("pdcaTitle")}</PageTitle>
      <Problems error={query.error} />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        {systems.map((s) => (
          <Col xs={24} md={12} xl={8} key={s.id}>
            <Card size="small" title={s.name} extra={s.owner ? <Typography.Text type="secondary">{s.owner}</Typography.Text> : null}>
              <Space orientation="vertical" size={0}>
                <Typography.Text>{t("cadence", { days: s.cadenceDays })}</Typography.Text>
                <Typography.Text type="secondary">{s.lastCompletedCycleAt
                  ? t("lastCycle", { when: formatDate(s.lastCompletedCycleAt, language) }) : t("noCycle")}</Typography.Text>
              </Space>
            </Card>
          </Col>))}
      </Row>
      <Typography.Title level={3}>{t("pdcaBoard")}</Typography.Title>
      <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))", gap: 12, alignItems: "start" }}>
        {columns.map((column) => (
          <section key={column} aria-label={t(column)} style={{ background: "#fafafa", borderRadius: 8, padding: 8 }}>
            <Typography.Title level={4} style={{ marginTop: 0 }}>{t(column)}</Typography.Title>
            <Space orientation="vertical" style={{ width: "100%" }}>
              {cycles.filter((c) => columnOf(c) === column).map((c) => (
                <Card size="small" key={c.id} title={c.title}>
                  <Typography.Text type="secondary">{name.get(c.systemId) ?? ""}</Typography.Text><br />
                  <Typography.Text type="secondary">{t("startedAt", { when: formatDate(c.startedAt, language) })}</Typography.Text>
                  <div style={{ marginTop: 4 }}>{PHASES.map((p) => (
                    <Tag key={p} style={c.phases.some((x) => x.phase === p) ? { background: "#f6ffed", borderColor: "#b7eb8f" } : undefined}>
                      {c.phases.some((x) => x.phase === p) ? "✓ " : ""}{t(p)}</Tag>))}</div>
                </Card>))}
            </Space>
          </section>))}
      </div>
    </>
  );
}
