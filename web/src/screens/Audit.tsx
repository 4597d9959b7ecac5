/** The audit trail: newest first, filtered by action, actor and period; the chain verified on
 * demand against the witness; the export one click away. */
import { Alert, Button, DatePicker, Input, Space, Table } from "antd";
import { Tag } from "../app/Tag";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useGql } from "../app/data";
import { formatDate, PageTitle, Pager, Problems, useCursor } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";

const AuditDocument = graphql(`
  query AuditTrail($tenantId: ID!, $filter: AuditFilter, $after: String) {
    auditEvents(tenantId: $tenantId, first: 50, after: $after, filter: $filter, newestFirst: true) {
      nodes { id seq occurredAt actor action objectType objectId actorInfo { name kind } }
      pageInfo { hasNextPage endCursor }
    }
    downloadLinks(tenantId: $tenantId) { title path url }
  }
`);

const VerifyDocument = graphql(`
  query VerifyAudit($tenantId: ID!) { verifyAuditTrail(tenantId: $tenantId) { ok status events firstBadId problem } }
`);

export function Audit() {
  const { t, i18n } = useTranslation();
  const { tenant, access } = useWorkspace();
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [range, setRange] = useState<[string | null, string | null]>([null, null]);
  const cursor = useCursor();
  const filter = { actions: action ? [action] : null, actors: actor ? [actor] : null, since: range[0], until: range[1] };
  const query = useGql(AuditDocument, { tenantId: tenant.id, filter, after: cursor.after });
  const verify = useGql(VerifyDocument, { tenantId: tenant.id }, { enabled: false });
  const page = query.data?.auditEvents;
  const exports = (query.data?.downloadLinks ?? []).filter((l) => l.path.startsWith("/audit/"));
  return (
    <>
      <PageTitle extra={<Space wrap>
        {access.can("ipgov:audit", "verify") ? <Button onClick={() => void verify.refetch()} loading={verify.isFetching}>
          {t("audit.verify")}</Button> : null}
        {exports.map((l) => <Button key={l.url} href={l.url}>{l.title}</Button>)}
      </Space>}>{t("audit.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error ?? verify.error} />
      {verify.data ? <Alert style={{ marginBottom: 16 }} showIcon type={verify.data.verifyAuditTrail.ok ? "success" : "error"}
        title={verify.data.verifyAuditTrail.ok ? t("audit.verified", { count: verify.data.verifyAuditTrail.events })
          : t("audit.brokenAt", { id: verify.data.verifyAuditTrail.firstBadId ?? "?" })}
        description={verify.data.verifyAuditTrail.problem || verify.data.verifyAuditTrail.status} /> : null}
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search aria-label={t("audit.action")} placeholder={t("audit.action")} allowClear
          onSearch={(v) => { setAction(v.trim()); cursor.reset(); }} />
        <Input.Search aria-label={t("audit.actor")} placeholder={t("audit.actor")} allowClear
          onSearch={(v) => { setActor(v.trim()); cursor.reset(); }} />
        <DatePicker.RangePicker aria-label={t("audit.at")} style={{ maxWidth: "calc(100vw - 32px)" }} onChange={(v) => { setRange([v?.[0]?.startOf("day").toISOString() ?? null,
          v?.[1]?.endOf("day").toISOString() ?? null]); cursor.reset(); }} />
      </Space>
      <Table rowKey="id" size="small" loading={query.isPending} dataSource={[...(page?.nodes ?? [])]} pagination={false}
        scroll={{ x: true }} columns={[
          { title: "#", dataIndex: "seq", width: 70 },
          { title: t("audit.at"), dataIndex: "occurredAt", render: (v: string) => formatDate(v, i18n.language) },
          { title: t("audit.actor"), render: (_: unknown, e) => e.actorInfo.name ?? e.actor },
          { title: t("audit.action"), dataIndex: "action", render: (v: string) => <Tag>{v}</Tag> },
          { title: t("audit.object"), render: (_: unknown, e) => `${e.objectType} ${e.objectId}` },
        ]} />
      <Pager cursor={cursor} info={page?.pageInfo} />
    </>
  );
}
