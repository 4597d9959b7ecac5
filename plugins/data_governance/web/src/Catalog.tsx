/** The catalog: assets filtered by kind, classification and stage; an asset's metadata, its
 * protected content behind clearance (with a purpose, refusals shown as the server says them),
 * and the form that catalogs an asset with the metadata spec's errors at their fields. */
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { Alert, App, Button, Card, Descriptions, Drawer, Form, Input, InputNumber, Select, Skeleton, Space, Switch, Table, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import { StepsOf } from "./Steps";
import { ASSET, LEVELS, Level, PAGE, Pager, STAGES, split, useCursor, useM, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

const AssetsDocument = graphql(`
  query DataGovernanceAssets($tenantId: ID!, $kind: String, $classification: String, $stage: String, $first: Int!, $after: String) {
    dataAssets(tenantId: $tenantId, kind: $kind, classification: $classification, stage: $stage, first: $first, after: $after) {
      nodes { id code kind title classification lifecycleStage owner steward retentionEndsOn destroyedAt }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const KindsDocument = graphql(`
  query DataGovernanceKinds($tenantId: ID!) {
    dataAssetKinds(tenantId: $tenantId, first: 100) { nodes { key title description builtin } }
  }
`);

const AssetDocument = graphql(`
  query DataGovernanceAsset($tenantId: ID!, $id: ID!) {
    dataAsset(tenantId: $tenantId, id: $id) {
      id code kind title summary owner steward classification systemOfRecord tags lifecycleStage
      retentionMonths retentionStartsOn retentionEndsOn legalBasis metadata specVersion lastUsedAt
      archivedAt destroyedAt destroyedBy destroyedByActor { name } updatedAt
    }
  }
`);

const ContentDocument = graphql(`
  query DataGovernanceAssetContent($tenantId: ID!, $id: ID!, $purpose: String!) {
    dataAssetContent(tenantId: $tenantId, id: $id, purpose: $purpose) { assetId code classification content }
  }
`);

const SpecsDocument = graphql(`
  query DataGovernanceSpecs($tenantId: ID!, $kindKey: String) {
    metadataSpecs(tenantId: $tenantId, kindKey: $kindKey, first: 100) { nodes { id version jsonSchema } }
  }
`);

const CreateAssetDocument = graphql(`
  mutation DataGovernanceCreateAsset($tenantId: ID!, $input: DataAssetInput!) {
    createDataAsset(tenantId: $tenantId, input: $input) { asset { id code } errors { code message field } }
  }
`);

/** Read the content: a purpose first; a refusal shows the server's code and message. */
function ContentRead(props: { id: string; classification: string }) {
  const t = useT();
  const tenantId = useTenant();
  const read = useM(ContentDocument);
  const [purpose, setPurpose] = useState("");
  const shown = read.data?.dataAssetContent;
  return (
    <Card size="small" title={<span role="heading" aria-level={3}>{t("readContent")}</span>}>
      <Typography.Paragraph type="secondary">{t("readIntro", { level: t(`level_${props.classification}` as "level_public") })}</Typography.Paragraph>
      <Form layout="vertical" onFinish={() => read.mutate({ tenantId, id: props.id, purpose })}>
        <Form.Item label={t("purpose")} extra={t("purposeHelp")} htmlFor={`dg-purpose-${props.id}`} required>
          <Input.TextArea id={`dg-purpose-${props.id}`} rows={2} maxLength={2000} value={purpose}
            onChange={(e) => setPurpose(e.target.value)} />
        </Form.Item>
        <Button htmlType="submit" type="primary" loading={read.isPending} disabled={!purpose.trim()}>{t("read")}</Button>
      </Form>
      {read.error ? (
        <Alert style={{ marginTop: 12 }} type="error" showIcon role="alert" data-testid="content-refused" title={t("refused")}
          description={<><Typography.Text code>{(read.error as Error & { code?: string }).code ?? "ERROR"}</Typography.Text> {read.error.message}</>} />
      ) : null}
      {shown ? (
        <div style={{ marginTop: 12 }} data-testid="content-granted">
          <Typography.Text strong>{t("granted", { code: shown.code, level: t(`level_${shown.classification}` as "level_public") })}</Typography.Text>
          <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginTop: 8 }}>{shown.content}</Typography.Paragraph>
        </div>) : null}
    </Card>
  );
}

function AssetBody(props: { id: string }) {
  const t = useT();
  const { language } = useExtension();
  const query = useQ(AssetDocument, { tenantId: useTenant(), id: props.id });
  if (query.isPending) return <Skeleton active />;
  if (query.error) return <Problems error={query.error} />;
  const a = query.data.dataAsset;
  const none = t("none");
  const metadata = Object.entries((a.metadata ?? {}) as Record<string, unknown>);
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{a.code} {a.title}</Typography.Title>
      {a.destroyedAt ? <Alert type="warning" showIcon title={t("destroyed", { when: formatDate(a.destroyedAt, language), who: a.destroyedByActor?.name ?? a.destroyedBy ?? "" })} /> : null}
      <Descriptions size="small" bordered column={1} items={[
        { key: "kind", label: t("kind"), children: a.kind },
        { key: "class", label: t("classification"), children: <Level level={a.classification} /> },
        { key: "stage", label: t("stage"), children: a.lifecycleStage },
        { key: "summary", label: t("summary"), children: a.summary || none },
        { key: "owner", label: t("owner"), children: a.owner || none },
        { key: "steward", label: t("steward"), children: a.steward || none },
        { key: "sor", label: t("systemOfRecord"), children: a.systemOfRecord || none },
        { key: "tags", label: t("tags"), children: a.tags.length ? a.tags.map((g) => <Tag key={g}>{g}</Tag>) : none },
        { key: "ret", label: t("retention"), children: a.retentionMonths
          ? `${a.retentionMonths} · ${formatDate(a.retentionStartsOn, language)} – ${formatDate(a.retentionEndsOn, language)}` : none },
        { key: "legal", label: t("legalBasis"), children: a.legalBasis || none },
        { key: "spec", label: t("specVersion"), children: a.specVersion ?? none },
        { key: "meta", label: t("metadata"), children: metadata.length ? (
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>{metadata.map(([k, v]) => (
            <li key={k}><Typography.Text strong>{k}</Typography.Text>: {Array.isArray(v) ? v.join(", ") : JSON.stringify(v)}</li>))}</ul>) : none },
        { key: "used", label: t("lastUsed"), children: formatDate(a.lastUsedAt, language) || none },
        { key: "updated", label: t("updated"), children: formatDate(a.updatedAt, language) },
      ]} />
      {a.destroyedAt ? null : <ContentRead id={a.id} classification={a.classification} />}
      {a.kind === "trade_secret" ? <StepsOf assetId={a.id} /> : null}
    </Space>
  );
}

type Property = { type?: string | string[]; items?: { type?: string }; enum?: unknown[]; description?: string; title?: string };

/** The form items of a JSON Schema's top-level properties (strings, numbers, booleans, lists
 * of strings, choices; anything else as JSON text). */
function MetadataFields(props: { schema: { properties?: Record<string, Property>; required?: string[] } }) {
  const t = useT();
  const required = new Set(props.schema.required ?? []);
  return <>{Object.entries(props.schema.properties ?? {}).map(([name, p]) => {
    const type = Array.isArray(p.type) ? p.type.find((x) => x !== "null") : p.type;
    const label = p.title ?? name;
    const common = { name: ["metadata", name], label, required: required.has(name), extra: p.description };
    if (p.enum) return <Form.Item key={name} {...common}><Select allowClear options={p.enum.map((v) => ({ value: String(v), label: String(v) }))} /></Form.Item>;
    if (type === "number" || type === "integer") return <Form.Item key={name} {...common}><InputNumber style={{ width: "100%" }} /></Form.Item>;
    if (type === "boolean") return <Form.Item key={name} {...common} valuePropName="checked"><Switch /></Form.Item>;
    if (type === "array") return <Form.Item key={name} {...common} extra={p.description ?? t("listHelp")}><Input /></Form.Item>;
    if (type === "string") return <Form.Item key={name} {...common}><Input /></Form.Item>;
    return <Form.Item key={name} {...common}><Input.TextArea rows={2} /></Form.Item>;
  })}</>;
}

function metadataValue(schema: { properties?: Record<string, Property> } | undefined, values: Record<string, unknown> | undefined) {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    const p = schema?.properties?.[name];
    const type = Array.isArray(p?.type) ? p?.type.find((x) => x !== "null") : p?.type;
    if (type === "array" && typeof value === "string") out[name] = split(value);
    else if (!type && typeof value === "string") { try { out[name] = JSON.parse(value); } catch { out[name] = value; } }
    else out[name] = value;
  }
  return out;
}

/** "metadata.inventors[0]" -> ["metadata", "inventors"]; "input.code" -> ["code"]. */
function fieldPath(field: string): (string | number)[] {
  const plain = field.replace(/^input\./, "");
  const parts = plain.split(/[.[\]]/).filter(Boolean);
  return parts[0] === "metadata" ? parts.slice(0, 2) : [parts[0]];
}

function NewAsset(props: { open: boolean; onClose: () => void; onCreated: (id: string) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const tenantId = useTenant();
  const [form] = Form.useForm();
  const kind = Form.useWatch("kind", form) as string | undefined;
  const kinds = useQ(KindsDocument, { tenantId });
  const specs = useQ(SpecsDocument, { tenantId, kindKey: kind ?? null }, { enabled: !!kind });
  const spec = specs.data?.metadataSpecs.nodes.at(-1);
  const schema = spec?.jsonSchema as { properties?: Record<string, Property>; required?: string[] } | undefined;
  const create = useM(CreateAssetDocument);
  const [general, setGeneral] = useState<{ code: string; message: string; field?: string | null }[]>([]);

  async function submit(v: Record<string, unknown>) {
    setGeneral([]);
    form.setFields(form.getFieldsError().filter((f) => f.errors.length).map((f) => ({ name: f.name, errors: [] })));
    const text = (name: string) => (typeof v[name] === "string" ? (v[name] as string) : "");
    const result = (await create.mutateAsync({ tenantId, input: {
      code: text("code"), kind: text("kind"), title: text("title"), summary: text("summary"), owner: text("owner"),
      steward: text("steward"), classification: text("classification") || "internal", systemOfRecord: text("systemOfRecord"),
      tags: split(text("tags")), lifecycleStage: text("lifecycleStage") || null,
      retentionMonths: typeof v.retentionMonths === "number" ? v.retentionMonths : null,
      retentionStartsOn: text("retentionStartsOn") || null, legalBasis: text("legalBasis"),
      metadata: metadataValue(schema, v.metadata as Record<string, unknown>), content: text("content") || null,
    } })).createDataAsset;
    if (result.asset) {
      void message.success(t("created", { code: result.asset.code }));
      form.resetFields();
      props.onCreated(result.asset.id);
      return;
    }
    const names = new Set(Object.keys(form.getFieldsValue(true) ?? {}));
    const placed = new Map<string, { name: (string | number)[]; errors: string[] }>();
    const rest: typeof general = [];
    for (const e of result.errors) {
      const path = e.field ? fieldPath(e.field) : null;
      const known = path && (path[0] === "metadata" ? path.length === 2 && !!schema?.properties?.[String(path[1])] : names.has(String(path[0])) || FIELDS.has(String(path[0])));
      if (path && known) {
        const key = path.join(".");
        placed.set(key, { name: path, errors: [...(placed.get(key)?.errors ?? []), `${e.code}: ${e.message}`] });
      } else rest.push(e);
    }
    form.setFields([...placed.values()]);
    setGeneral([{ code: result.errors[0]?.code ?? "ERROR", message: t("fixFields") }, ...rest]);
  }

  return (
    <Drawer open={props.open} onClose={props.onClose} title={t("newAsset")} size={Math.min(640, typeof window === "undefined" ? 640 : window.innerWidth)}
      closable={{ "aria-label": t("close") }} destroyOnHidden>
      <Problems errors={general} error={create.error} />
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ classification: "internal", lifecycleStage: "create" }}>
        <Form.Item name="kind" label={t("kind")} required>
          <Select loading={kinds.isPending} options={(kinds.data?.dataAssetKinds.nodes ?? []).map((k) => ({ value: k.key, label: k.title }))} />
        </Form.Item>
        <Form.Item name="code" label={t("code")} required><Input maxLength={60} /></Form.Item>
        <Form.Item name="title" label={t("title")} required><Input maxLength={300} /></Form.Item>
        <Form.Item name="summary" label={t("summary")}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="classification" label={t("classification")}>
          <Select options={LEVELS.map((l) => ({ value: l, label: t(`level_${l}`) }))} />
        </Form.Item>
        <Form.Item name="lifecycleStage" label={t("stage")}>
          <Select options={["create", "store", "use"].map((s) => ({ value: s, label: s }))} />
        </Form.Item>
        <Form.Item name="owner" label={t("owner")}><Input /></Form.Item>
        <Form.Item name="steward" label={t("steward")}><Input /></Form.Item>
        <Form.Item name="systemOfRecord" label={t("systemOfRecord")}><Input /></Form.Item>
        <Form.Item name="tags" label={t("tags")} extra={t("tagsHelp")}><Input /></Form.Item>
        <Form.Item name="retentionMonths" label={t("retentionMonths")}><InputNumber style={{ width: "100%" }} /></Form.Item>
        <Form.Item name="retentionStartsOn" label={t("retentionStartsOn")}><Input type="date" /></Form.Item>
        <Form.Item name="legalBasis" label={t("legalBasis")}><Input /></Form.Item>
        {kind ? (
          <Card size="small" style={{ marginBottom: 16 }} title={<span role="heading" aria-level={3}>{spec ? t("metadataSpec", { version: spec.version }) : t("metadata")}</span>}>
            {schema ? <MetadataFields schema={schema} /> : <Typography.Text type="secondary">{t("noSpec")}</Typography.Text>}
          </Card>) : null}
        <Form.Item name="content" label={t("contentOptional")}><Input.TextArea rows={3} /></Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={create.isPending}>{t("createAsset")}</Button>
          <Button onClick={props.onClose}>{t("cancel")}</Button>
        </Space>
      </Form>
    </Drawer>
  );
}

const FIELDS = new Set(["code", "kind", "title", "summary", "owner", "steward", "classification", "systemOfRecord", "tags",
  "lifecycleStage", "retentionMonths", "retentionStartsOn", "legalBasis", "content"]);

export function Catalog() {
  const t = useT();
  const { can, language } = useExtension();
  const tenantId = useTenant();
  const [kind, setKind] = useState<string | null>(null);
  const [level, setLevel] = useState<string | null>(null);
  const [stage, setStage] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const cursor = useCursor();
  const kinds = useQ(KindsDocument, { tenantId });
  const assets = useQ(AssetsDocument, { tenantId, kind, classification: level, stage, first: PAGE, after: cursor.after });
  const data = assets.data?.dataAssets;
  const kindTitle = new Map((kinds.data?.dataAssetKinds.nodes ?? []).map((k) => [k.key, k.title]));
  const filter = (set: (v: string | null) => void) => (v: string) => { set(v || null); cursor.reset(); };
  return (
    <>
      <PageTitle extra={<GatedButton allowed={can(ASSET, "create")} type="primary" onClick={() => setCreating(true)}>{t("newAsset")}</GatedButton>}>
        {t("catalogTitle")}</PageTitle>
      <Typography.Paragraph type="secondary">{t("catalogIntro")}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select aria-label={t("kind")} style={{ minWidth: 180 }} value={kind ?? ""} onChange={filter(setKind)}
          options={[{ value: "", label: t("allKinds") }, ...(kinds.data?.dataAssetKinds.nodes ?? []).map((k) => ({ value: k.key, label: k.title }))]} />
        <Select aria-label={t("classification")} style={{ minWidth: 160 }} value={level ?? ""} onChange={filter(setLevel)}
          options={[{ value: "", label: t("allLevels") }, ...LEVELS.map((l) => ({ value: l, label: t(`level_${l}`) }))]} />
        <Select aria-label={t("stage")} style={{ minWidth: 140 }} value={stage ?? ""} onChange={filter(setStage)}
          options={[{ value: "", label: t("allStages") }, ...STAGES.map((s) => ({ value: s, label: s }))]} />
      </Space>
      <Problems error={assets.error ?? kinds.error} />
      <Table size="small" rowKey="id" loading={assets.isPending} dataSource={[...(data?.nodes ?? [])]} pagination={false}
        scroll={{ x: true }} columns={[
          { title: t("code"), dataIndex: "code", render: (v: string, a) => (
            <Button type="link" style={{ padding: 0 }} aria-label={t("open", { code: v })} onClick={() => setOpen(a.id)}>{v}</Button>) },
          { title: t("title"), dataIndex: "title" },
          { title: t("kind"), dataIndex: "kind", render: (v: string) => kindTitle.get(v) ?? v },
          { title: t("classification"), dataIndex: "classification", render: (v: string) => <Level level={v} /> },
          { title: t("stage"), dataIndex: "lifecycleStage" },
          { title: t("owner"), dataIndex: "owner" },
          { title: t("steward"), dataIndex: "steward" },
          { title: t("retentionEnds"), dataIndex: "retentionEndsOn", render: (v: string | null) => formatDate(v, language) },
        ]} />
      <Pager cursor={cursor} info={data?.pageInfo} />
      <Drawer open={!!open} onClose={() => setOpen(null)} title={t("asset")} destroyOnHidden
        size={Math.min(720, typeof window === "undefined" ? 720 : window.innerWidth)} closable={{ "aria-label": t("close") }}>
        {open ? <AssetBody id={open} /> : null}
      </Drawer>
      <NewAsset open={creating} onClose={() => setCreating(false)} onCreated={(id) => { setCreating(false); setOpen(id); }} />
    </>
  );
}
