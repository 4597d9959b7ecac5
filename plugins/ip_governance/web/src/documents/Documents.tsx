/** Controlled documents (GB/T 29490-2023 7.5): the tenant's own and those its group imposes,
 * each with its versions; an approver approves or rejects a version in approval (the server
 * checks the sequence, the quorum and that the author never approves), and a reader
 * acknowledges the version in force. */
import { App, Button, Empty, Space, Table, Tag, type TableColumnsType } from "antd";
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import type { IpgDocumentVersionsQuery, IpgDocumentsQuery } from "../../../../../web/src/gql/graphql";
import { PAGE, useTenantMutation, useTenantPages, useTenantQuery } from "../data";
import { AcknowledgeDocumentDocument, DecideDocumentDocument, DocumentVersionsDocument, DocumentsDocument } from "../operations";
import { useTexts } from "../texts";
import { tone, type Tone } from "../tone";

type Doc = IpgDocumentsQuery["controlledDocuments"]["nodes"][number];
type Version = IpgDocumentVersionsQuery["documentVersions"][number];
const DOCUMENT = "ip_governance:document";
const TONE: Record<string, Tone> = { approved: "good", in_approval: "warn", rejected: "bad", superseded: "plain" };
type Status = "in_approval" | "approved" | "rejected" | "superseded";

function Versions(props: { doc: Doc }) {
  const { t } = useTexts();
  const { can, language } = useExtension();
  const { message } = App.useApp();
  const versions = useTenantQuery(DocumentVersionsDocument, { documentId: props.doc.id });
  const decide = useTenantMutation(DecideDocumentDocument);
  const acknowledge = useTenantMutation(AcknowledgeDocumentDocument);
  async function report(errors: { message: string }[], done: string) {
    if (errors.length) void message.error(errors[0].message);
    else void message.success(done);
  }
  const columns: TableColumnsType<Version> = [
    { title: t("version"), dataIndex: "label", width: 80 },
    { title: t("status"), dataIndex: "status", width: 110,
      render: (v: string) => <Tag style={tone(TONE[v] ?? "plain")}>{t(v as Status)}</Tag> },
    { title: t("approvalMode"), key: "mode", width: 130,
      render: (_: unknown, v) => (v.approvalMode === "sequence" ? t("sequence") : t("quorum", { count: v.quorum })) },
    { title: t("effectiveOn"), dataIndex: "effectiveOn", width: 120, render: (d: string) => formatDate(d, language) },
    { title: t("reviewDueOn"), dataIndex: "reviewDueOn", width: 120, render: (d: string) => formatDate(d, language) },
    { title: t("acknowledgements"), dataIndex: "acknowledgements", width: 110 },
    { title: t("actions"), key: "actions", render: (_: unknown, v) => (
      <Space wrap>
        {v.status === "in_approval" && !props.doc.inherited ? (
          <>
            <GatedButton size="small" type="primary" allowed={can(DOCUMENT, "approve")} aria-label={`${t("approve")} ${v.label}`}
              onClick={async () => report((await decide.run({ versionId: v.id, approve: true })).decideDocumentVersion.errors, t("decided"))}>
              {t("approve")}</GatedButton>
            <GatedButton size="small" danger allowed={can(DOCUMENT, "approve")} aria-label={`${t("reject")} ${v.label}`}
              onClick={async () => report((await decide.run({ versionId: v.id, approve: false })).decideDocumentVersion.errors, t("decided"))}>
              {t("reject")}</GatedButton>
          </>
        ) : null}
        {v.status === "approved" ? (
          <GatedButton size="small" allowed={can(DOCUMENT, "acknowledge")} aria-label={`${t("acknowledge")} ${v.label}`}
            onClick={async () => report((await acknowledge.run({ versionId: v.id })).acknowledgeDocument.errors, t("acknowledged"))}>
            {t("acknowledge")}</GatedButton>
        ) : null}
      </Space>) },
  ];
  return (
    <>
      <Problems error={versions.error} />
      <Table<Version> rowKey="id" size="small" columns={columns} dataSource={versions.data?.documentVersions ?? []}
        loading={versions.isLoading} pagination={false} locale={{ emptyText: t("noVersions") }} scroll={{ x: 760 }} />
    </>
  );
}

export function Documents() {
  const { t } = useTexts();
  const pages = useTenantPages(DocumentsDocument, { first: PAGE, after: null }, (d) => d.controlledDocuments);
  const columns: TableColumnsType<Doc> = [
    { title: t("docCode"), dataIndex: "code", width: 170 },
    { title: t("title"), dataIndex: "title" },
    { title: t("docKind"), dataIndex: "kind", width: 110 },
    { title: "", key: "origin", width: 150, render: (_: unknown, d) => (
      d.inherited ? <Tag color="blue">{t("inherited")}</Tag> : d.supplementsId ? <Tag>{t("supplement")}</Tag> : null) },
  ];
  return (
    <>
      <PageTitle>{t("docsTitle")}</PageTitle>
      <Problems error={pages.error} />
      {!pages.isLoading && !pages.nodes.length ? <Empty /> : null}
      {pages.nodes.length ? (
        <Table<Doc> rowKey="id" columns={columns} dataSource={pages.nodes} pagination={false} scroll={{ x: 700 }}
          expandable={{ expandedRowRender: (d) => <Versions doc={d} /> }} />
      ) : null}
      {pages.hasNextPage ? (
        <div style={{ textAlign: "center", marginTop: 16 }}>
          <Button onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>{t("loadMore")}</Button>
        </div>
      ) : null}
    </>
  );
}
