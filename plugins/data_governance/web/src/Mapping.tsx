/** The technical solution <-> IP map: each solution with the patents, applications and trade
 * secrets that protect it and its gap; the inventory with what each object protects. */
import { PageTitle, Problems } from "@ipgov/workspace-sdk";
import { Card, Progress, Space, Table, Typography } from "antd";
import { graphql } from "../../../../web/src/gql";
import { useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const MapDocument = graphql(`
  query DataGovernanceMap($tenantId: ID!) {
    technicalSolutions(tenantId: $tenantId, first: 100) {
      nodes { id code title description sourceKind sourceRef owner }
      pageInfo { hasNextPage }
    }
    technicalSolutionLinks(tenantId: $tenantId, first: 100) {
      nodes { id solutionId plugin objectId objectKind ref title }
      pageInfo { hasNextPage }
    }
    ipInventory(tenantId: $tenantId, first: 100) {
      nodes { plugin objectId kind ref title status }
      pageInfo { hasNextPage }
    }
  }
`);

const FILING = new Set(["patent", "application"]);
const KIND_COLOR: Record<string, string> = { patent: "blue", application: "cyan", trade_secret: "purple" };

export function Mapping() {
  const t = useT();
  const query = useQ(MapDocument, { tenantId: useTenant() });
  const solutions = query.data?.technicalSolutions.nodes ?? [];
  const links = query.data?.technicalSolutionLinks.nodes ?? [];
  const inventory = query.data?.ipInventory.nodes ?? [];
  const bySolution = new Map<string, typeof links[number][]>();
  const byObject = new Map<string, string[]>();
  for (const l of links) {
    bySolution.set(l.solutionId, [...(bySolution.get(l.solutionId) ?? []), l]);
    byObject.set(`${l.plugin}:${l.objectId}`, [...(byObject.get(`${l.plugin}:${l.objectId}`) ?? []), l.solutionId]);
  }
  const solution = new Map(solutions.map((s) => [s.id, s]));
  const gap = (id: string) => {
    const own = bySolution.get(id) ?? [];
    if (!own.length) return "unprotected";
    return own.some((l) => FILING.has(l.objectKind)) ? "ok" : "unfiled";
  };
  const covered = solutions.filter((s) => gap(s.id) !== "unprotected").length;
  const truncated = query.data && (query.data.technicalSolutions.pageInfo.hasNextPage
    || query.data.technicalSolutionLinks.pageInfo.hasNextPage || query.data.ipInventory.pageInfo.hasNextPage);
  return (
    <>
      <PageTitle>{t("mappingTitle")}</PageTitle>
      <Typography.Paragraph type="secondary">{t("mappingIntro")}</Typography.Paragraph>
      <Problems error={query.error} />
      {solutions.length ? <Space style={{ marginBottom: 12 }}>
        <Progress type="circle" size={56} percent={Math.round((covered / solutions.length) * 100)}
          aria-label={t("solutionsCovered", { covered, total: solutions.length })} />
        <Typography.Text>{t("solutionsCovered", { covered, total: solutions.length })}</Typography.Text>
      </Space> : null}
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Table size="small" rowKey="id" loading={query.isPending} dataSource={[...solutions]} pagination={false}
          scroll={{ x: true }} columns={[
            { title: t("solution"), render: (_: unknown, s) => <Space orientation="vertical" size={0}>
              <Typography.Text strong>{s.code} {s.title}</Typography.Text>
              {s.description ? <Typography.Text type="secondary" ellipsis={{ tooltip: s.description }} style={{ maxWidth: 420 }}>{s.description}</Typography.Text> : null}
            </Space> },
            { title: t("source"), dataIndex: "sourceKind", render: (v: string) => t(`sourceKind_${v}` as "sourceKind_product") },
            { title: t("owner"), dataIndex: "owner" },
            { title: t("protectedBy"), render: (_: unknown, s) => (bySolution.get(s.id) ?? []).length
              ? <Space size={[4, 4]} wrap>{(bySolution.get(s.id) ?? []).map((l) => (
                <Tag key={l.id} color={KIND_COLOR[l.objectKind]}>{l.objectKind}: {l.ref}</Tag>))}</Space>
              : t("none") },
            { title: t("gaps"), render: (_: unknown, s) => { const g = gap(s.id); return (
              <Tag color={g === "ok" ? "green" : g === "unfiled" ? "orange" : "red"}>{t(`gap_${g}` as "gap_ok")}</Tag>); } },
          ]} />
        <Card size="small" title={<span role="heading" aria-level={3}>{t("inventory")}</span>}>
          <Typography.Paragraph type="secondary">{t("inventoryIntro")}</Typography.Paragraph>
          <Table size="small" rowKey={(o) => `${o.plugin}:${o.objectId}`} dataSource={[...inventory]} pagination={false}
            scroll={{ x: true }} columns={[
              { title: t("object"), render: (_: unknown, o) => <><Tag color={KIND_COLOR[o.kind]}>{o.kind}</Tag>{o.ref} {o.title}</> },
              { title: t("plugin"), dataIndex: "plugin" },
              { title: t("status"), dataIndex: "status" },
              { title: t("linkedTo"), render: (_: unknown, o) => { const ids = byObject.get(`${o.plugin}:${o.objectId}`) ?? [];
                return ids.length ? ids.map((id) => solution.get(id)?.code ?? id).join(", ") : t("notLinked"); } },
              { title: t("gaps"), render: (_: unknown, o) => { const ids = byObject.get(`${o.plugin}:${o.objectId}`) ?? [];
                if (o.kind === "trade_secret" && !ids.length) return <Tag color="orange">{t("gap_secret_no_solution")}</Tag>;
                if (FILING.has(o.kind) && !ids.some((id) => solution.get(id)?.sourceKind === "product"))
                  return <Tag color="orange">{t("gap_patent_no_product")}</Tag>;
                return <Tag color="green">{t("gap_ok")}</Tag>; } },
            ]} />
        </Card>
        {truncated ? <Typography.Text type="secondary">{t("truncated")}</Typography.Text> : null}
      </Space>
    </>
  );
}
