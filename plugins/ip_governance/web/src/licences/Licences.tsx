/** Licences in and out with their royalty payments (a page of payments per licence, shown when
 * the licence is opened) and recording a payment where the role may update licences. */
import { App, Button, Form, Input, InputNumber, List, Modal, Segmented, Space, Table, Tag, Typography,
  type TableColumnsType } from "antd";
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { useState } from "react";
import type { IpgLicencesQuery } from "../../../../../web/src/gql/graphql";
import { PAGE, useTenantMutation, useTenantPages, useTenantQuery } from "../data";
import { LicencesDocument, RecordRoyaltyDocument, RoyaltiesDocument } from "../operations";
import { useTexts } from "../texts";

type Licence = IpgLicencesQuery["ipLicences"]["nodes"][number];
const LICENCE = "ip_governance:licence";

function Payments(props: { licence: Licence }) {
  const { t } = useTexts();
  const { language } = useExtension();
  const payments = useTenantQuery(RoyaltiesDocument, { licenceId: props.licence.id, first: PAGE, after: null });
  const nodes = payments.data?.ipRoyaltyPayments.nodes ?? [];
  const totals = new Map<string, number>();
  for (const p of nodes) totals.set(p.currency, (totals.get(p.currency) ?? 0) + Number(p.amount));
  return (
    <>
      <Problems error={payments.error} />
      <List size="small" loading={payments.isLoading} dataSource={nodes}
        locale={{ emptyText: <Typography.Text type="secondary">{t("noPayments")}</Typography.Text> }}
        header={<Space wrap><Typography.Text strong>{t("payments")}</Typography.Text>
          {[...totals.entries()].map(([currency, amount]) => (
            <Tag key={currency}>{t("total", { amount: amount.toLocaleString(language), currency })}</Tag>))}</Space>}
        renderItem={(p) => (
          <List.Item>
            <Space wrap>
              <Typography.Text>{formatDate(p.paidOn, language)}</Typography.Text>
              <Typography.Text strong>{Number(p.amount).toLocaleString(language)} {p.currency}</Typography.Text>
              {p.reference ? <Typography.Text type="secondary">{p.reference}</Typography.Text> : null}
            </Space>
          </List.Item>)} />
    </>
  );
}

function RecordPayment(props: { licence: Licence | null; onClose: () => void }) {
  const { t } = useTexts();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ amount: number; currency: string; paidOn: string; reference?: string }>();
  const record = useTenantMutation(RecordRoyaltyDocument);
  const [problems, setProblems] = useState<{ code: string; message: string; field?: string | null }[]>([]);
  const fields = ["amount", "currency", "paidOn", "reference"] as const;
  async function submit() {
    if (!props.licence) return;
    const v = await form.validateFields();
    const errors = (await record.run({ licenceId: props.licence.id, amount: String(v.amount), currency: v.currency.trim().toUpperCase(),
      paidOn: v.paidOn || null, reference: v.reference ?? "" })).recordIpRoyaltyPayment.errors;
    form.setFields(fields.map((name) => ({ name, errors: errors.filter((e) => e.field === name).map((e) => e.message) })));
    setProblems(errors.filter((e) => !fields.includes((e.field ?? "") as (typeof fields)[number])));
    if (!errors.length) { void message.success(t("saved")); form.resetFields(); props.onClose(); }
  }
  return (
    <Modal open={Boolean(props.licence)} onCancel={props.onClose} onOk={() => void submit()} forceRender
      title={t("recordPaymentFor", { who: props.licence?.counterparty ?? "" })} okText={t("save")} cancelText={t("cancel")}
      confirmLoading={record.isPending}>
      <Problems errors={problems} error={record.error} />
      <Form form={form} layout="vertical" name="ip-royalty" initialValues={{ currency: "CNY" }}>
        <Form.Item name="amount" label={t("amount")} rules={[{ required: true, message: t("amount") }]}>
          <InputNumber min={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item name="currency" label={t("currency")} rules={[{ required: true, message: t("currency") }]}><Input maxLength={3} /></Form.Item>
        <Form.Item name="paidOn" label={t("paidOn")} rules={[{ required: true, message: t("paidOn") }]}><Input type="date" /></Form.Item>
        <Form.Item name="reference" label={t("reference")}><Input /></Form.Item>
      </Form>
    </Modal>
  );
}

export function Licences() {
  const { t, word } = useTexts();
  const { can, language } = useExtension();
  const [direction, setDirection] = useState<string>("all");
  const [paying, setPaying] = useState<Licence | null>(null);
  const pages = useTenantPages(LicencesDocument, { direction: direction === "all" ? null : direction, first: PAGE, after: null },
    (d) => d.ipLicences);
  const columns: TableColumnsType<Licence> = [
    { title: t("counterparty"), dataIndex: "counterparty", width: 220, render: (v: string, l) => (
      <Space orientation="vertical" size={0}><Typography.Text strong>{v}</Typography.Text>
        <Typography.Text type="secondary">{l.direction === "in" ? t("licenceIn") : t("licenceOut")}</Typography.Text></Space>) },
    { title: t("scope"), dataIndex: "scope" },
    { title: t("territory"), dataIndex: "territory", width: 120 },
    { title: t("term"), key: "term", width: 190, render: (_, l) => `${formatDate(l.startsOn, language)} – ${formatDate(l.endsOn, language)}` },
    { title: t("royaltyTerms"), key: "royalty", render: (_, l) => (l.royaltyBearing ? l.royaltyTerms : t("royaltyFree")) },
    { title: t("status"), dataIndex: "status", width: 100, render: (v: string, l) => (
      <Space size={4} wrap><Tag>{word(v)}</Tag>{l.exclusive ? <Tag>{t("exclusive")}</Tag> : null}</Space>) },
    { title: t("actions"), key: "actions", width: 150, render: (_, l) => (
      <GatedButton size="small" allowed={can(LICENCE, "update") && l.royaltyBearing} onClick={() => setPaying(l)}
        aria-label={`${t("recordPayment")}: ${l.counterparty}`}>{t("recordPayment")}</GatedButton>) },
  ];
  return (
    <>
      <PageTitle>{t("licencesTitle")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Segmented aria-label={t("direction")} value={direction} onChange={(v) => setDirection(String(v))}
          options={[{ value: "all", label: t("all") }, { value: "in", label: t("licenceIn") }, { value: "out", label: t("licenceOut") }]} />
      </Space>
      <Problems error={pages.error} />
      <Table<Licence> rowKey="id" columns={columns} dataSource={pages.nodes} loading={pages.isLoading} pagination={false}
        scroll={{ x: 1000 }} expandable={{ expandedRowRender: (l) => <Payments licence={l} /> }} />
      {pages.hasNextPage ? (
        <div style={{ textAlign: "center", marginTop: 16 }}>
          <Button onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>{t("loadMore")}</Button>
        </div>
      ) : null}
      <RecordPayment licence={paying} onClose={() => setPaying(null)} />
    </>
  );
}
