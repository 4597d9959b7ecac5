/** Directives: what reviews asked for, who owns it, by when; assign an owner, mark it done.
 * `/directives/<id>` (a notification's or calendar entry's link) shows every status with that
 * directive marked. */
import { App, Popconfirm, Segmented, Select, Space, Table } from "antd";
import { Tag } from "../app/Tag";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router-dom";
import { payloadErrors, useGql, useGqlMutation } from "../app/data";
import { formatDate, GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";

const DirectivesDocument = graphql(`
  query Directives($tenantId: ID!, $status: String, $members: Boolean!) {
    directives(tenantId: $tenantId, status: $status, first: 100) {
      nodes { id action ownerRole ownerUserId severity severityLabel functionLabel status statusLabel dueAt escalation }
    }
    members(tenantId: $tenantId, first: 100) @include(if: $members) { nodes { userId displayName email role } }
  }
`);

const UpdateDirectiveDocument = graphql(`
  mutation UpdateDirective($tenantId: ID!, $id: ID!, $status: String, $owner: ID) {
    updateDirective(tenantId: $tenantId, id: $id, status: $status, ownerUserId: $owner) {
      directive { id status } errors { code message field }
    }
  }
`);

export function Directives() {
  const { t, i18n } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const focus = useParams()["*"] || null;
  const [status, setStatus] = useState<string>(focus ? "all" : "open");
  const canUpdate = access.can("ipgov:directive", "update");
  const query = useGql(DirectivesDocument, { tenantId: tenant.id, status: status === "all" ? null : status,
    members: access.can("ipgov:member", "read") });
  const update = useGqlMutation(UpdateDirectiveDocument);
  const members = query.data?.members?.nodes ?? [];
  async function change(id: string, change: { status?: string; owner?: string }) {
    const result = (await update.mutateAsync({ tenantId: tenant.id, id, status: change.status ?? null,
      owner: change.owner ?? null })).updateDirective;
    if (!result.errors.length && change.status) void message.success(t("directives.closed"));
  }
  const now = Date.now();
  return (
    <>
      <PageTitle extra={<Segmented value={status} onChange={(v) => setStatus(String(v))} options={[
        { label: t("directives.open"), value: "open" }, { label: t("directives.done"), value: "done" },
        { label: t("directives.all"), value: "all" }]} />}>{t("directives.title")}</PageTitle>
      <Problems errors={payloadErrors(update.data?.updateDirective)} error={query.error ?? update.error} />
      <Table rowKey="id" loading={query.isPending} dataSource={[...(query.data?.directives.nodes ?? [])].sort((a, b) => Number(b.id === focus) - Number(a.id === focus))}
        scroll={{ x: true }} pagination={{ pageSize: 25 }}
        onRow={(d) => d.id === focus ? { "aria-current": "true", style: { background: "#e6f4ff" } } : {}} columns={[
          { title: t("directives.action"), dataIndex: "action" },
          { title: t("directives.severity"), dataIndex: "severityLabel" },
          { title: t("directives.function"), dataIndex: "functionLabel" },
          { title: t("directives.due"), dataIndex: "dueAt", render: (v: string, d) => <Tag
            color={d.status === "open" && new Date(v).getTime() < now ? "red" : undefined}>
            {formatDate(v, i18n.language)}</Tag>, sorter: (a, b) => a.dueAt.localeCompare(b.dueAt) },
          { title: t("directives.owner"), render: (_: unknown, d) => members.length ? (
            <Select aria-label={t("directives.owner")} style={{ minWidth: 180 }} disabled={!canUpdate || d.status !== "open"}
              value={d.ownerUserId ?? undefined} placeholder={d.ownerRole} allowClear={false}
              options={members.map((m) => ({ value: m.userId, label: `${m.displayName} (${m.role})` }))}
              onChange={(owner: string) => void change(d.id, { owner })} />) : d.ownerRole },
          { title: t("common.status"), dataIndex: "statusLabel", render: (v: string, d) =>
            <Space>{v}{d.escalation ? <Tag color="volcano">{t("directives.escalated")}</Tag> : null}</Space> },
          { title: t("common.actions"), render: (_: unknown, d) => d.status === "open" ? (
            d.escalation ? <GatedButton allowed={false} size="small" reason={t("directives.escalatedHelp")}>
              {t("directives.close")}</GatedButton>
            : canUpdate ? <Popconfirm title={t("directives.close")} onConfirm={() => change(d.id, { status: "done" })}>
              <GatedButton allowed size="small">{t("directives.close")}</GatedButton></Popconfirm>
              : <GatedButton allowed={false} size="small">{t("directives.close")}</GatedButton>) : null },
        ]} />
    </>
  );
}
