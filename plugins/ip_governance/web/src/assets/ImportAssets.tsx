/** Importing the register from CSV or XLSX: the file's rows are shown as read, and after the
 * import each row the server refused carries its problems in place (nothing of it was stored). */
import { Alert, Button, Checkbox, Modal, Space, Switch, Table, Tag, Typography } from "antd";
import { Problems } from "@ipgov/workspace-sdk";
import { useMemo, useRef, useState, type HTMLAttributes } from "react";
import type { IpgImportAssetsMutation } from "../../../../../web/src/gql/graphql";
import { parseCsv, type CsvRecord } from "../csv";
import { useTenantMutation } from "../data";
import { ImportAssetsDocument } from "../operations";
import { useTexts } from "../texts";
import { xlsxToCsv } from "../xlsx";
import { tone, DANGER_TEXT } from "../tone";

type Result = IpgImportAssetsMutation["importIpAssets"];
type RowError = Result["rowErrors"][number];
const SHOWN = ["title", "kind", "jurisdiction", "application_number", "publication_number", "status", "id"];

async function readFile(file: File): Promise<string> {
  if (/\.xlsx$/i.test(file.name)) return xlsxToCsv(new Uint8Array(await file.arrayBuffer()));
  return (await file.text()).replace(/^\ufeff/, "");
}

interface Row { line: number; values: Record<string, string>; errors: RowError[] }

export function ImportAssets(props: { open: boolean; onClose: () => void }) {
  const { t } = useTexts();
  const [file, setFile] = useState<{ name: string; csv: string } | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [atomic, setAtomic] = useState(false);
  const [onlyBad, setOnlyBad] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const mutation = useTenantMutation(ImportAssetsDocument);
  const input = useRef<HTMLInputElement>(null);

  const { header, rows } = useMemo(() => {
    const records: CsvRecord[] = file ? parseCsv(file.csv) : [];
    const headerAt = records.findIndex((r) => r.cells.some((c) => c.trim().toLowerCase() === "title"));
    const names = headerAt >= 0 ? records[headerAt].cells.map((c) => c.trim().toLowerCase()) : [];
    const byLine = new Map<number, RowError[]>();
    for (const e of result?.rowErrors ?? []) byLine.set(e.row, [...(byLine.get(e.row) ?? []), e]);
    const list: Row[] = records.slice(headerAt + 1).map((r) => ({ line: r.line, errors: byLine.get(r.line) ?? [],
      values: Object.fromEntries(names.map((n, i) => [n, r.cells[i] ?? ""])) }));
    return { header: SHOWN.filter((n) => names.includes(n)), rows: list };
  }, [file, result]);

  function close() {
    setFile(null); setResult(null); setReadError(null); setOnlyBad(false);
    props.onClose();
  }

  async function choose(chosen: File) {
    setResult(null); setReadError(null);
    try {
      setFile({ name: chosen.name, csv: await readFile(chosen) });
    } catch (error) {
      setFile(null);
      setReadError(t("xlsxFailed", { reason: String((error as Error).message ?? error) }));
    }
  }

  async function run() {
    if (!file) return;
    setResult((await mutation.run({ csv: file.csv, atomic })).importIpAssets);
  }

  const bad = result?.rowErrors.length ?? 0;
  const shown = onlyBad ? rows.filter((r) => r.errors.length) : rows;
  return (
    <Modal open={props.open} onCancel={close} width={980} title={t("importTitle")} forceRender
      okText={t("runImport")} cancelText={t("cancel")} onOk={() => void run()} confirmLoading={mutation.isPending}
      okButtonProps={{ disabled: !file || Boolean(result) }}>
      <Typography.Paragraph type="secondary">{t("importHelp")}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <input ref={input} type="file" hidden aria-label={t("importFile")} data-testid="ipg-import-file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => { const chosen = e.target.files?.[0]; e.target.value = ""; if (chosen) void choose(chosen); }} />
        <Button onClick={() => input.current?.click()}>{t("chooseFile")}</Button>
        {file ? <Typography.Text>{t("preview", { rows: rows.length, file: file.name })}</Typography.Text> : null}
        <Checkbox checked={atomic} onChange={(e) => setAtomic(e.target.checked)} disabled={Boolean(result)}>{t("atomic")}</Checkbox>
      </Space>
      {readError ? <Alert type="error" showIcon title={readError} style={{ marginBottom: 12 }} /> : null}
      <Problems errors={result?.errors} error={mutation.error} />
      {result && !result.errors.length ? (
        <Alert style={{ marginBottom: 12 }} showIcon type={bad ? "warning" : "success"} role="status"
          title={atomic && bad ? t("importAtomicErrors", { count: bad }) : t("importDone", { created: result.created, updated: result.updated })}
          description={bad && !atomic ? t("importRowErrors", { count: bad }) : undefined} />
      ) : null}
      {bad ? (
        <Space style={{ marginBottom: 8 }}>
          <Switch size="small" checked={onlyBad} onChange={setOnlyBad} aria-label={t("onlyBad")} />
          <Typography.Text>{t("onlyBad")} ({bad})</Typography.Text>
        </Space>
      ) : null}
      {file ? (
        <Table<Row> size="small" rowKey="line" dataSource={shown} pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 800 }} aria-label={t("rowValues")}
          onRow={(r) => ({ "data-row": r.line, "data-bad": r.errors.length ? "true" : undefined,
            style: r.errors.length ? { background: "#fff1f0" } : undefined } as HTMLAttributes<HTMLElement>)}
          columns={[
            { title: t("row"), dataIndex: "line", width: 64 },
            ...header.map((name) => ({ title: name, key: name, render: (_: unknown, r: Row) => r.values[name] })),
            { title: t("message"), key: "errors", render: (_: unknown, r: Row) => r.errors.length ? (
              <Space orientation="vertical" size={2}>
                <Tag style={tone("bad")}>{t("notStored")}</Tag>
                {r.errors.map((e, i) => (
                  <Typography.Text key={i} style={DANGER_TEXT}>
                    {e.column ? <Tag style={tone("bad")}>{e.column}</Tag> : null}{e.message}
                  </Typography.Text>))}
              </Space>) : result && !atomic ? <Tag style={tone("good")}>{t("stored")}</Tag> : null },
          ]} />
      ) : null}
    </Modal>
  );
}
