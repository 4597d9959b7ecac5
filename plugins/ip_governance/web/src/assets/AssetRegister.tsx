/** The IP asset register: filters, a page at a time, by family, register/edit/delete, import
 * and export; every control is shown to everyone and enabled only for who may use it. */
import { Button, Collapse, Input, Popconfirm, Segmented, Select, Space, Table, Tag, Typography, App, type TableColumnsType } from "antd";
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { useMemo, useState } from "react";
import { download, toCsv } from "../csv";
import { PAGE, useTenantMutation, useTenantPages } from "../data";
import { AssetsDocument, DeleteAssetDocument } from "../operations";
import { ASSET_KINDS, ASSET_STATUSES, optionsOf, useTexts } from "../texts";
import { AssetForm, type Asset } from "./AssetForm";
import { ImportAssets } from "./ImportAssets";

const ASSET = "ip_governance:asset";
const EXPORT_COLUMNS = ["kind", "title", "jurisdiction", "family_id", "application_number", "publication_number",
  "registration_number", "kind_code", "status", "assignee", "owner", "inventors", "cpc_codes", "value_tier",
  "priority_date", "filing_date", "publication_date", "grant_date", "expiry_date"] as const;

function exportRow(a: Asset): unknown[] {
  return [a.kind, a.title, a.jurisdiction, a.familyId, a.applicationNumber, a.publicationNumber,
    a.registrationNumber, a.kindCode, a.status, a.assignee, a.owner, a.inventors, a.cpcCodes, a.valueTier,
    a.priorityDate, a.filingDate, a.publicationDate, a.grantDate, a.expiryDate];
}

function useColumns(onEdit: (a: Asset) => void) {
  const { t, word } = useTexts();
  const { can, language } = useExtension();
  const { message } = App.useApp();
  const remove = useTenantMutation(DeleteAssetDocument);
  const columns: TableColumnsType<Asset> = [
    { title: t("title"), dataIndex: "title", render: (title: string, a) => (
      <Space orientation="vertical" size={0}>
        <Typography.Text strong>{title}</Typography.Text>
        {a.owner ? <Typography.Text type="secondary">{a.owner}</Typography.Text> : null}
      </Space>) },
    { title: t("kind"), dataIndex: "kind", render: (v: string) => word(v), width: 110 },
    { title: t("jurisdiction"), dataIndex: "jurisdiction", width: 90 },
    { title: t("numbers"), key: "numbers", render: (_, a) => (
      <Typography.Text>{[a.applicationNumber, a.publicationNumber, a.registrationNumber].filter(Boolean)
        .filter((n, i, all) => all.indexOf(n) === i).join(" · ")}</Typography.Text>) },
    { title: t("status"), dataIndex: "status", width: 110, render: (v: string) => <Tag>{word(v)}</Tag> },
    { title: t("valueTier"), dataIndex: "valueTier", width: 80, render: (v: string | null) => v ?? "" },
    { title: t("expiryDate"), dataIndex: "expiryDate", width: 130,
      render: (v: string | null) => formatDate(v, language) },
    { title: t("actions"), key: "actions", width: 170, render: (_, a) => (
      <Space>
        <GatedButton size="small" allowed={can(ASSET, "update")} onClick={() => onEdit(a)}
          aria-label={t("editAssetNamed", { title: a.title })}>{t("edit")}</GatedButton>
        {can(ASSET, "delete") ? (
          <Popconfirm title={t("confirmDelete")} okText={t("yes")} cancelText={t("no")}
            onConfirm={async () => {
              const payload = (await remove.run({ id: a.id })).deleteIpAsset;
              if (payload.errors.length) void message.error(payload.errors.map((e) => e.message).join("; "));
              else void message.success(t("deleted"));
            }}>
            <Button size="small" aria-label={t("deleteAssetNamed", { title: a.title })}>{t("delete")}</Button>
          </Popconfirm>
        ) : (
          <GatedButton size="small" allowed={false}
            aria-label={t("deleteAssetNamed", { title: a.title })}>{t("delete")}</GatedButton>
        )}
      </Space>) },
  ];
  return columns;
}

function Families(props: { assets: Asset[]; columns: TableColumnsType<Asset> }) {
  const { t } = useTexts();
  const groups = useMemo(() => {
    const map = new Map<string, Asset[]>();
    for (const a of props.assets) map.set(a.familyId, [...(map.get(a.familyId) ?? []), a]);
    return [...map.entries()].sort(([a], [b]) => (a ? (b ? a.localeCompare(b) : -1) : 1));
  }, [props.assets]);
  return (
    <Collapse defaultActiveKey={groups.slice(0, 3).map(([id]) => id || "-")} items={groups.map(([id, assets]) => ({
      key: id || "-",
      label: <Space wrap><Typography.Text strong>{id ? t("familyOf", { id }) : t("noFamily")}</Typography.Text>
        <Typography.Text type="secondary">{t("assetsInFamily", { count: assets.length })}</Typography.Text>
        <span>{[...new Set(assets.map((a) => a.jurisdiction).filter(Boolean))].map((j) => <Tag key={j}>{j}</Tag>)}</span></Space>,
      children: <Table<Asset> rowKey="id" size="small" columns={props.columns} dataSource={assets}
        pagination={false} scroll={{ x: 900 }} />,
    }))} />
  );
}

export function AssetRegister() {
  const { t, word } = useTexts();
  const { can, tenant } = useExtension();
  const [kind, setKind] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [jurisdiction, setJurisdiction] = useState("");
  const [view, setView] = useState<"list" | "families">("list");
  const [editing, setEditing] = useState<Asset | null | undefined>(undefined);
  const [importing, setImporting] = useState(false);
  const code = jurisdiction.trim().toUpperCase();
  const pages = useTenantPages(AssetsDocument, { kind: kind ?? null, status: status ?? null,
    jurisdiction: code.length >= 2 ? code : null, first: PAGE, after: null }, (d) => d.ipAssets);
  const columns = useColumns((a) => setEditing(a));
  const assets = pages.nodes;
  return (
    <>
      <PageTitle extra={<Space wrap>
        <GatedButton type="primary" allowed={can(ASSET, "create")} onClick={() => setEditing(null)}>{t("registerAsset")}</GatedButton>
        <GatedButton allowed={can(ASSET, "create")} onClick={() => setImporting(true)}>{t("importAssets")}</GatedButton>
        <Button onClick={() => download(`ip-assets-${tenant.slug}.csv`, toCsv(EXPORT_COLUMNS, assets.map(exportRow), true))}
          disabled={!assets.length}>{t("exportCsv")}</Button>
      </Space>}>{t("assetsTitle")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select allowClear placeholder={t("filterKind")} aria-label={t("filterKind")} style={{ width: 170 }}
          value={kind} onChange={setKind} options={optionsOf(ASSET_KINDS, word)} />
        <Select allowClear placeholder={t("filterStatus")} aria-label={t("filterStatus")} style={{ width: 150 }}
          value={status} onChange={setStatus} options={optionsOf(ASSET_STATUSES, word)} />
        <Input allowClear placeholder={t("filterJurisdiction")} aria-label={t("filterJurisdiction")} style={{ width: 140 }}
          value={jurisdiction} maxLength={2} onChange={(e) => setJurisdiction(e.target.value)} />
        <Segmented aria-label={t("view")} value={view} onChange={(v) => setView(v as "list" | "families")}
          options={[{ value: "list", label: t("viewList") }, { value: "families", label: t("viewFamilies") }]} />
        <Typography.Text type="secondary">{t("shown", { count: assets.length })}{pages.hasNextPage ? ` · ${t("more")}` : ""}</Typography.Text>
      </Space>
      <Problems error={pages.error} />
      {view === "list" ? (
        <Table<Asset> rowKey="id" columns={columns} dataSource={assets} loading={pages.isLoading}
          pagination={false} scroll={{ x: 1000 }} size="middle" />
      ) : <Families assets={assets} columns={columns} />}
      {pages.hasNextPage ? (
        <div style={{ textAlign: "center", marginTop: 16 }}>
          <Button onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>{t("loadMore")}</Button>
        </div>
      ) : null}
      <AssetForm asset={editing ?? null} open={editing !== undefined} onClose={() => setEditing(undefined)} />
      <ImportAssets open={importing} onClose={() => setImporting(false)} />
    </>
  );
}
