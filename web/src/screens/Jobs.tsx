/** Jobs of this tenant (ingestion, evaluations…): progress while they run, the records at
 * fault when they end with errors, cancel one that has not finished. */
import { Progress, Space, Table, Typography } from "antd";
import { Tag } from "../app/Tag";
import { useTranslation } from "react-i18next";
import { useGql, useGqlMutation } from "../app/data";
import { formatDate, GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";

const JobsDocument = graphql(`
  query Jobs($tenantId: ID!) {
    jobs(tenantId: $tenantId, first: 50) {
      nodes { id kind status requestedBy requestedByActor { name } requestedAt finishedAt progressDone progressTotal message errorCount failure
        recordErrors { file document field message } }
    }
  }
`);

const CancelDocument = graphql(`
  mutation CancelJob($tenantId: ID!, $id: ID!) { cancelJob(tenantId: $tenantId, id: $id) { id status } }
`);

const ACTIVE = new Set(["queued", "running", "pending"]);

export function Jobs() {
  const { t, i18n } = useTranslation();
  const { tenant, access } = useWorkspace();
  const query = useGql(JobsDocument, { tenantId: tenant.id }, {
    refetchInterval: (q) => q.state.data?.jobs.nodes.some((j) => ACTIVE.has(j.status)) ? 2000 : false });
  const cancel = useGqlMutation(CancelDocument);
  return (
    <>
      <PageTitle>{t("jobs.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error ?? cancel.error} />
      <Table rowKey="id" size="small" loading={query.isPending} dataSource={[...(query.data?.jobs.nodes ?? [])]}
        scroll={{ x: true }} pagination={{ pageSize: 25 }}
        expandable={{ rowExpandable: (j) => j.recordErrors.length > 0 || Boolean(j.failure),
          expandedRowRender: (j) => <Space direction="vertical">
            {j.failure ? <Typography.Text type="danger">{j.failure}</Typography.Text> : null}
            {j.recordErrors.map((e, i) => <Typography.Text key={i}><Typography.Text code>{e.file}</Typography.Text>{" "}
              {e.document} {e.field ? `(${e.field})` : ""}: {e.message}</Typography.Text>)}</Space> }}
        columns={[
          { title: t("jobs.kind"), dataIndex: "kind" },
          { title: t("common.status"), render: (_: unknown, j) => ACTIVE.has(j.status)
            ? <Progress size="small" style={{ width: 140 }} aria-label={j.message || j.status}
              percent={j.progressTotal ? Math.round((100 * j.progressDone) / j.progressTotal) : 0} />
            : <Tag color={j.status === "succeeded" ? "green" : j.status === "failed" ? "red" : undefined}>{j.status}</Tag> },
          { title: t("jobs.errors"), dataIndex: "errorCount" },
          { title: t("reviews.requestedBy"), render: (_: unknown, j) => j.requestedByActor?.name ?? j.requestedBy },
          { title: t("common.created"), dataIndex: "requestedAt", render: (v: string) => formatDate(v, i18n.language) },
          { title: t("common.actions"), render: (_: unknown, j) => ACTIVE.has(j.status) ? <GatedButton size="small"
            allowed={access.can("ipgov:job", "cancel")} onClick={() => cancel.mutate({ tenantId: tenant.id, id: j.id })}>
            {t("jobs.cancel")}</GatedButton> : null },
        ]} />
    </>
  );
}
