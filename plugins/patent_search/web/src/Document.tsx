/** One stored document: bibliographic data, abstract, claims, classification, parties, family. */
import { Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { Descriptions, Drawer, Empty, Skeleton, Space, Tabs, Typography } from "antd";
import { graphql } from "../../../../web/src/gql";
import { useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const DocumentDocument = graphql(`
  query PatentSearchDocument($tenantId: ID!, $collectionId: ID!, $publicationNumber: String!) {
    patentDocument(tenantId: $tenantId, collectionId: $collectionId, publicationNumber: $publicationNumber) {
      collectionId publicationNumber country kind title abstract claims description
      publicationDate filingDate priorityDate applicationNumber familyId cpc ipc
      applicants assignees inventors citations language sourceFormat sourceFile
    }
  }
`);

export interface DocumentRef { collectionId: string; publicationNumber: string }

function Tags(props: { values: readonly string[]; empty: string }) {
  if (!props.values.length) return <Typography.Text type="secondary">{props.empty}</Typography.Text>;
  return <Space size={[4, 4]} wrap>{props.values.map((v) => <Tag key={v}>{v}</Tag>)}</Space>;
}

function DocumentBody(props: DocumentRef) {
  const t = useT();
  const { language } = useExtension();
  const query = useQ(DocumentDocument, { tenantId: useTenant(), ...props });
  if (query.isPending) return <Skeleton active />;
  if (query.error) return <Problems error={query.error} />;
  const d = query.data.patentDocument;
  const none = t("none");
  const list = (values: readonly string[]) => values.length ? values.join("; ") : none;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{d.title}</Typography.Title>
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered items={[
        { key: "pn", label: t("publicationNumber"), children: d.publicationNumber },
        { key: "office", label: t("office"), children: `${d.country} ${d.kind}` },
        { key: "pd", label: t("publicationDate"), children: formatDate(d.publicationDate, language) || none },
        { key: "fd", label: t("filingDate"), children: formatDate(d.filingDate, language) || none },
        { key: "prio", label: t("priorityDate"), children: formatDate(d.priorityDate, language) || none },
        { key: "app", label: t("applicationNumber"), children: d.applicationNumber || none },
        { key: "lang", label: t("language"), children: d.language || none },
        { key: "src", label: t("source"), children: d.sourceFormat || none },
      ]} />
      <Tabs items={[
        { key: "abstract", label: t("abstract"), children: d.abstract
          ? <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }}>{d.abstract}</Typography.Paragraph>
          : <Empty description={none} /> },
        { key: "claims", label: `${t("claims")} (${d.claims.length})`, children: d.claims.length
          ? <ol style={{ paddingInlineStart: 24 }}>{d.claims.map((c, i) => (
            <li key={i} style={{ marginBottom: 8 }}><Typography.Text>{c}</Typography.Text></li>))}</ol>
          : <Typography.Text type="secondary">{t("noClaims")}</Typography.Text> },
        { key: "classification", label: t("classification"), children: (
          <Descriptions size="small" column={1} items={[
            { key: "cpc", label: t("cpc"), children: <Tags values={d.cpc} empty={none} /> },
            { key: "ipc", label: t("ipc"), children: <Tags values={d.ipc} empty={none} /> },
          ]} />) },
        { key: "parties", label: t("parties"), children: (
          <Descriptions size="small" column={1} items={[
            { key: "applicants", label: t("applicants"), children: list(d.applicants) },
            { key: "assignees", label: t("assignees"), children: list(d.assignees) },
            { key: "inventors", label: t("inventors"), children: list(d.inventors) },
          ]} />) },
        { key: "family", label: t("family"), children: (
          <Descriptions size="small" column={1} items={[
            { key: "family", label: t("familyId"), children: d.familyId || none },
            { key: "citations", label: t("citations"), children: <Tags values={d.citations} empty={none} /> },
          ]} />) },
        ...(d.description ? [{ key: "description", label: t("description"), children:
          <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }} ellipsis={{ rows: 30, expandable: true }}>
            {d.description}</Typography.Paragraph> }] : []),
      ]} />
    </Space>
  );
}

/** The document in a drawer beside the list that opened it (so the list keeps its state). */
export function DocumentDrawer(props: { document: DocumentRef | null; onClose: () => void }) {
  const t = useT();
  const width = typeof window === "undefined" ? 880 : Math.min(880, window.innerWidth);
  return (
    <Drawer open={!!props.document} onClose={props.onClose} size={width} destroyOnHidden
      title={props.document ? `${t("document")} ${props.document.publicationNumber}` : t("document")}
      closable={{ "aria-label": t("close") }}>
      {props.document ? <DocumentBody {...props.document} /> : null}
    </Drawer>
  );
}
