/** Retention and destruction: the requests with their approvals, decided by other people than
 * the requester; and the assets whose retention has ended. */
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { App, Card, Form, Input, Modal, Segmented, Space, Table, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import { LIFECYCLE, Level, PAGE, Pager, useCursor, useM, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const RequestsDocument = graphql(`
  query DataGovernanceDestructions($tenantId: ID!, $status: String, $first: Int!, $after: String) {
    dataDestructionRequests(tenantId: $tenantId, status: $status, first: $first, after: $after) {
      nodes { id assetId reason requestedBy requestedByActor { name } requestedAt status requiredApprovals executedAt decisions { by at approve note } }
      pageInfo { hasNextPage endCursor }
    }
    dataAssets(tenantId: $tenantId, first: 100) { nodes { id code title classification retentionEndsOn destroyedAt } }
  }
`);

const DecideDocument = graphql(`
  mutation DataGovernanceDecideDestruction($tenantId: ID!, $id: ID!, $approve: Boolean!, $note: String!) {
    decideDataAssetDestruction(tenantId: $tenantId, id: $id, approve: $approve, note: $note) {
      request { id status } errors { code message field }
    }
  }
`);

const STATUS_COLOR: Record<string, string> = { pending: "gold", approved: "blue", rejected: "default", executed: "red" };

export function Lifecycle() {
  const t = useT();
  const { can, language } = useExtension();
  const { message } = App.useApp();
  const tenantId = useTenant();
  const [status, setStatus] = useState("pending");
  const [deciding, setDeciding] = useState<{ id: string; code: string; approve: boolean } | null>(null);
  const [note, setNote] = useState("");
  const cursor = useCursor();
  const data = useQ(RequestsDocument, { tenantId, status: status === "all" ? null : status, first: PAGE, after: cursor.after });
  const decide = useM(DecideDocument);
  const allowed = can(LIFECYCLE, "approve_destruction");
  const assets = new Map((data.data?.dataAssets.nodes ?? []).map((a) => [a.id, a]));
  const today = new Date().toISOString().slice(0, 10);
  const overdue = (data.data?.dataAssets.nodes ?? []).filter((a) => a.retentionEndsOn && a.retentionEndsOn < today && !a.destroyedAt);
  const requests = data.data?.dataDestructionRequests;
  const payload = decide.data?.decideDataAssetDestruction;

  async function confirm() {
    if (!deciding) return;
    const result = (await decide.mutateAsync({ tenantId, id: deciding.id, approve: deciding.approve, note })).decideDataAssetDestruction;
    setDeciding(null);
    setNote("");
    if (result.request) void message.success(t("decided"));
  }

  return (
    <>
      <PageTitle extra={<Segmented aria-label={t("status")} value={status} onChange={(v) => { setStatus(String(v)); cursor.reset(); }}
        options={[...["pending", "approved", "rejected", "executed"].map((s) => ({ value: s, label: t(`status_${s}` as "status_pending") })),
          { value: "all", label: t("all") }]} />}>{t("lifecycleTitle")}</PageTitle>
      <Typography.Paragraph type="secondary">{t("lifecycleIntro")}</Typography.Paragraph>
      <Problems errors={payload?.errors} error={data.error ?? decide.error} />
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Table size="small" rowKey="id" loading={data.isPending} dataSource={[...(requests?.nodes ?? [])]} pagination={false}
          scroll={{ x: true }} locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.65)" }}>{t("noRequests")}</span> }} columns={[
            { title: t("asset"), render: (_: unknown, r) => { const a = assets.get(r.assetId); return a ? `${a.code} ${a.title}` : r.assetId; } },
            { title: t("reason"), dataIndex: "reason" },
            { title: t("requestedBy"), render: (_: unknown, r) => r.requestedByActor?.name ?? r.requestedBy },
            { title: t("requestedAt"), dataIndex: "requestedAt", render: (v: string) => formatDate(v, language) },
            { title: t("status"), dataIndex: "status", render: (v: string) => <Tag color={STATUS_COLOR[v]}>{t(`status_${v}` as "status_pending")}</Tag> },
            { title: t("approvals"), render: (_: unknown, r) => t("approvalsOf", { done: r.decisions.filter((d) => d.approve).length, needed: r.requiredApprovals }) },
            { title: t("decisions"), render: (_: unknown, r) => r.decisions.length ? <ul style={{ margin: 0, paddingInlineStart: 16 }}>
              {r.decisions.map((d, i) => <li key={i}>{d.by}: {d.approve ? t("approved") : t("rejected")}{d.note ? ` (${d.note})` : ""}</li>)}</ul> : t("none") },
            { title: t("actions"), render: (_: unknown, r) => r.status === "pending" ? <Space>
              <GatedButton size="small" type="primary" allowed={allowed} aria-label={`${t("approve")} ${assets.get(r.assetId)?.code ?? ""}`}
                onClick={() => setDeciding({ id: r.id, code: assets.get(r.assetId)?.code ?? r.assetId, approve: true })}>{t("approve")}</GatedButton>
              <GatedButton size="small" allowed={allowed} aria-label={`${t("reject")} ${assets.get(r.assetId)?.code ?? ""}`}
                onClick={() => setDeciding({ id: r.id, code: assets.get(r.assetId)?.code ?? r.assetId, approve: false })}>{t("reject")}</GatedButton>
            </Space> : r.executedAt ? `${t("executedAt")} ${formatDate(r.executedAt, language)}` : null },
          ]} />
        <Pager cursor={cursor} info={requests?.pageInfo} />
        <Card size="small" title={<span role="heading" aria-level={3}>{t("overdue")}</span>}>
          <Typography.Paragraph type="secondary">{t("overdueIntro")}</Typography.Paragraph>
          <Table size="small" rowKey="id" dataSource={overdue} pagination={false} locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.65)" }}>{t("noOverdue")}</span> }} columns={[
            { title: t("code"), dataIndex: "code" }, { title: t("title"), dataIndex: "title" },
            { title: t("classification"), dataIndex: "classification", render: (v: string) => <Level level={v} /> },
            { title: t("retentionEnds"), dataIndex: "retentionEndsOn", render: (v: string) => formatDate(v, language) },
          ]} />
        </Card>
      </Space>
      <Modal open={!!deciding} title={deciding ? t("decide", { code: deciding.code }) : ""} onCancel={() => setDeciding(null)}
        onOk={() => void confirm()} okText={deciding?.approve ? t("approve") : t("reject")} cancelText={t("cancel")}
        confirmLoading={decide.isPending} destroyOnHidden>
        <Form layout="vertical">
          <Form.Item label={t("note")} htmlFor="dg-decision-note">
            <Input.TextArea id="dg-decision-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
