/** Collections (own and group-shared): create, delete, start an ingestion job; and the
 * procurement register with the group's duplicate purchases. */
import { GatedButton, PageTitle, Problems, formatDate, useExtension, Pager, useCursor } from "@ipgov/workspace-sdk";
import { App, Button, Card, Checkbox, Col, Form, Input, Modal, Popconfirm, Row, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import { CollectionsDocument } from "./Search";
import { COLL, DOC, PAGE, useM, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const CreateCollectionDocument = graphql(`
  mutation PatentSearchCreateCollection($tenantId: ID!, $input: CollectionInput!) {
    createPatentCollection(tenantId: $tenantId, input: $input) { collection { id name } errors { code message field } }
  }
`);

const DeleteCollectionDocument = graphql(`
  mutation PatentSearchDeleteCollection($tenantId: ID!, $collectionId: ID!) {
    deletePatentCollection(tenantId: $tenantId, collectionId: $collectionId) { deleted errors { code message field } }
  }
`);

const IngestDocument = graphql(`
  mutation PatentSearchIngest($tenantId: ID!, $collectionId: ID!, $path: String!) {
    ingestPatents(tenantId: $tenantId, collectionId: $collectionId, path: $path) { jobId errors { code message field } }
  }
`);

const ProcurementDocument = graphql(`
  query PatentSearchProcurement($tenantId: ID!, $first: Int!, $after: String) {
    procurementItems(tenantId: $tenantId, first: $first, after: $after) {
      nodes { id tenantId vendor product category coverage annualCost currency seats contractStart contractEnd sharedWithGroup notes }
      pageInfo { hasNextPage endCursor }
    }
    procurementDuplicates(tenantId: $tenantId) {
      vendor product tenantIds totalCost avoidableCost items { id tenantId currency }
    }
  }
`);

const KINDS = ["research", "licensed", "portfolio"] as const;

function NewCollection() {
  const t = useT();
  const { message } = App.useApp();
  const tenantId = useTenant();
  const [form] = Form.useForm();
  const create = useM(CreateCollectionDocument);
  async function submit(v: { name?: string; kind?: string; description?: string; shared?: boolean }) {
    const result = (await create.mutateAsync({ tenantId, input: { name: v.name ?? "", kind: v.kind ?? "research",
      description: v.description ?? "", source: "", sharedWithGroup: !!v.shared } })).createPatentCollection;
    if (!result.errors.length) { form.resetFields(); void message.success(t("created")); }
  }
  return (
    <Card size="small" title={<span role="heading" aria-level={3}>{t("newCollection")}</span>}>
      <Problems errors={create.data?.createPatentCollection.errors} error={create.error} />
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: "research", shared: false }}>
        <Form.Item name="name" label={t("name")} rules={[{ required: true }]}><Input maxLength={200} /></Form.Item>
        <Form.Item name="kind" label={t("kind")}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`kind_${k}`) }))} />
        </Form.Item>
        <Form.Item name="description" label={t("description")}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="shared" valuePropName="checked"><Checkbox>{t("sharedWithGroup")}</Checkbox></Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending}>{t("createCollection")}</Button>
      </Form>
    </Card>
  );
}

function IngestDialog(props: { collection: { id: string; name: string } | null; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const tenantId = useTenant();
  const [path, setPath] = useState("");
  const ingest = useM(IngestDocument);
  async function start() {
    if (!props.collection) return;
    const result = (await ingest.mutateAsync({ tenantId, collectionId: props.collection.id, path })).ingestPatents;
    if (result.jobId) { void message.success(t("ingestStarted", { id: result.jobId })); props.onClose(); }
  }
  return (
    <Modal open={!!props.collection} title={props.collection ? t("ingestTitle", { name: props.collection.name }) : ""}
      onCancel={props.onClose} onOk={() => void start()} okText={t("ingest")} cancelText={t("cancel")}
      confirmLoading={ingest.isPending} destroyOnHidden>
      <Problems errors={ingest.data?.ingestPatents.errors} error={ingest.error} />
      <Form layout="vertical">
        <Form.Item label={t("ingestPath")} extra={t("ingestHelp")} htmlFor="patent-ingest-path">
          <Input id="patent-ingest-path" value={path} onChange={(e) => setPath(e.target.value)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function Collections() {
  const t = useT();
  const { can, language, tenant } = useExtension();
  const { message } = App.useApp();
  const tenantId = useTenant();
  const list = useQ(CollectionsDocument, { tenantId });
  const remove = useM(DeleteCollectionDocument);
  const [ingesting, setIngesting] = useState<{ id: string; name: string } | null>(null);
  async function drop(id: string) {
    const result = (await remove.mutateAsync({ tenantId, collectionId: id })).deletePatentCollection;
    if (result.deleted) void message.success(t("deleted"));
  }
  return (
    <>
      <PageTitle>{t("collTitle")}</PageTitle>
      <Problems errors={remove.data?.deletePatentCollection.errors} error={list.error ?? remove.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={can(COLL, "create") ? 17 : 24}>
          <Table size="small" rowKey="id" loading={list.isPending} dataSource={[...(list.data?.patentCollections ?? [])]}
            pagination={{ pageSize: 25, hideOnSinglePage: true }} scroll={{ x: true }} columns={[
              { title: t("name"), dataIndex: "name", render: (v: string, c) => <Space orientation="vertical" size={0}>
                <Typography.Text strong>{v}</Typography.Text>
                {c.description ? <Typography.Text type="secondary">{c.description}</Typography.Text> : null}</Space> },
              { title: t("kind"), dataIndex: "kind", render: (v: string) => <Tag>{t(`kind_${v}` as "kind_research")}</Tag> },
              { title: t("documents"), dataIndex: "documentCount", align: "right" },
              { title: t("owner"), render: (_: unknown, c) => c.tenantId === tenant.id ? t("ownTenant") : t("groupOwned") },
              { title: t("sharedWithGroup"), dataIndex: "sharedWithGroup", render: (v: boolean) => v ? t("yes") : t("no") },
              { title: t("updated"), dataIndex: "updatedAt", render: (v: string) => formatDate(v, language) },
              { title: t("actions"), render: (_: unknown, c) => c.writable ? <Space>
                <GatedButton size="small" allowed={can(DOC, "ingest")} aria-label={`${t("ingest")} ${c.name}`}
                  onClick={() => setIngesting({ id: c.id, name: c.name })}>{t("ingest")}</GatedButton>
                {can(COLL, "delete") ? <Popconfirm title={t("deleteConfirm", { name: c.name })} okText={t("deleteCollection")}
                  cancelText={t("cancel")} onConfirm={() => drop(c.id)}>
                  <Button size="small" aria-label={`${t("deleteCollection")} ${c.name}`}>{t("deleteCollection")}</Button>
                </Popconfirm> : <GatedButton size="small" allowed={false}>{t("deleteCollection")}</GatedButton>}
              </Space> : null },
            ]} />
        </Col>
        {can(COLL, "create") ? <Col xs={24} xl={7}><NewCollection /></Col> : null}
      </Row>
      <IngestDialog collection={ingesting} onClose={() => setIngesting(null)} />
    </>
  );
}

export function Procurement() {
  const t = useT();
  const { language } = useExtension();
  const tenantId = useTenant();
  const cursor = useCursor();
  const data = useQ(ProcurementDocument, { tenantId, first: PAGE, after: cursor.after });
  const items = data.data?.procurementItems;
  const duplicates = data.data?.procurementDuplicates ?? [];
  const money = (value: string, currency: string) => `${Number(value).toLocaleString(language)} ${currency}`;
  return (
    <>
      <PageTitle>{t("procTitle")}</PageTitle>
      <Problems error={data.error} />
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Card size="small" title={<span role="heading" aria-level={3}>{t("register")}</span>}>
          <Table size="small" rowKey="id" loading={data.isPending} dataSource={[...(items?.nodes ?? [])]} pagination={false}
            scroll={{ x: true }} columns={[
              { title: t("vendor"), dataIndex: "vendor" },
              { title: t("product"), dataIndex: "product" },
              { title: t("category"), dataIndex: "category" },
              { title: t("coverage"), dataIndex: "coverage", render: (v: string[]) => <Space size={[4, 4]} wrap>{v.map((c) => <Tag key={c}>{c}</Tag>)}</Space> },
              { title: t("annualCost"), align: "right", render: (_: unknown, i) => money(i.annualCost, i.currency) },
              { title: t("seats"), dataIndex: "seats", align: "right" },
              { title: t("contract"), render: (_: unknown, i) => `${formatDate(i.contractStart, language)} – ${formatDate(i.contractEnd, language)}` },
              { title: t("sharedWithGroup"), dataIndex: "sharedWithGroup", render: (v: boolean) => v ? t("yes") : t("no") },
            ]} />
          <Pager cursor={cursor} info={items?.pageInfo} />
        </Card>
        <Card size="small" title={<span role="heading" aria-level={3}>{t("duplicates")}</span>}>
          <Typography.Paragraph type="secondary">{t("duplicatesIntro")}</Typography.Paragraph>
          <Table size="small" rowKey={(d) => `${d.vendor}:${d.product}`} dataSource={[...duplicates]} pagination={false}
            scroll={{ x: true }} locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.65)" }}>{t("noDuplicates")}</span> }} columns={[
              { title: t("vendor"), dataIndex: "vendor" },
              { title: t("product"), dataIndex: "product" },
              { title: t("entities"), render: (_: unknown, d) => d.tenantIds.length, align: "right" },
              { title: t("totalCost"), align: "right", render: (_: unknown, d) => money(d.totalCost, d.items[0]?.currency ?? "") },
              { title: t("avoidable"), align: "right", render: (_: unknown, d) => <Typography.Text strong style={{ color: "#a8071a" }}>
                {money(d.avoidableCost, d.items[0]?.currency ?? "")}</Typography.Text> },
            ]} />
        </Card>
      </Space>
    </>
  );
}
