/** The cost forecast: official fees of the next five years per year and entity (the tenant
 * and the subsidiaries the person may read), as ECharts bars in the reporting currency, a
 * table in each fee's currency, and the same rows as CSV. */
import { Alert, Button, Select, Space, Table, Typography, type TableColumnsType } from "antd";
import { Chart, Problems, type ChartOptions } from "@ipgov/workspace-sdk";
import { useMemo, useState } from "react";
import type { IpgDocketForecastQuery } from "../../../../../web/src/gql/graphql";
import { useTenantQuery } from "../data";
import { ForecastDocument } from "../operations";
import { useTexts } from "../texts";

type Row = IpgDocketForecastQuery["docketForecast"]["rows"][number];
const CURRENCIES = ["CNY", "EUR", "USD", "JPY"];

/** Bars per year, one series per entity, in the reporting currency (rows without a rate are
 * left out, and said so above the chart). */
function chartOf(rows: Row[], label: string): ChartOptions {
  const years = [...new Set(rows.map((r) => r.year))].sort();
  const names = [...new Set(rows.map((r) => r.name))].sort();
  const total = (name: string, year: number) => rows
    .filter((r) => r.name === name && r.year === year && r.reportingAmount != null)
    .reduce((sum, r) => sum + Number(r.reportingAmount), 0);
  return {
    aria: { enabled: true, label: { description: label } },
    tooltip: { trigger: "axis" }, legend: { type: "scroll" },
    grid: { left: 80, right: 16, bottom: 40, top: 48 },
    xAxis: { type: "category", data: years.map(String) }, yAxis: { type: "value" },
    series: names.map((name) => ({ name, type: "bar", data: years.map((y) => Math.round(total(name, y))) })),
  };
}

export function Forecast() {
  const { t } = useTexts();
  const [currency, setCurrency] = useState("CNY");
  const forecast = useTenantQuery(ForecastDocument, { years: 5, reportingCurrency: currency });
  const data = forecast.data?.docketForecast;
  const rows = useMemo(() => data?.rows ?? [], [data]);
  const options = useMemo(() => chartOf(rows, t("forecastChart")), [rows, t]);
  const columns: TableColumnsType<Row> = [
    { title: t("subsidiary"), dataIndex: "name" },
    { title: t("year"), dataIndex: "year", width: 90 },
    { title: t("amount"), key: "amount", render: (_, r) => `${r.currency} ${Number(r.amount).toLocaleString()}` },
    { title: t("reportingAmount", { currency }), key: "reported",
      render: (_, r) => (r.reportingAmount == null ? "—" : Number(r.reportingAmount).toLocaleString()) },
  ];
  const download = () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([data?.csv ?? ""], { type: "text/csv" }));
    link.download = `docket-forecast-${currency}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Typography.Text strong>{t("forecastTitle", { currency })}</Typography.Text>
        <Select aria-label={t("reportingCurrency")} style={{ width: 110 }} value={currency} onChange={setCurrency}
          options={CURRENCIES.map((value) => ({ value, label: value }))} />
        <Button onClick={download} disabled={!data}>{t("downloadCsv")}</Button>
      </Space>
      <Problems error={forecast.error} />
      {data?.missingRates.length ? (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }}
          message={t("missingRates", { currencies: data.missingRates.join(", ") })} />) : null}
      {data?.rows.some((r) => Number(r.uncheckedAmount) > 0) ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="fees-unchecked"
          message={t("feesUnchecked")} />) : null}
      <Chart label={t("forecastChart")} options={options} height={360} />
      <Table<Row> rowKey={(r) => `${r.key}-${r.year}-${r.currency}`} columns={columns} dataSource={rows}
        loading={forecast.isLoading} pagination={{ pageSize: 20 }} size="small" style={{ marginTop: 16 }} />
    </>
  );
}
