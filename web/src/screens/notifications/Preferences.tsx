/** How each kind of event reaches me: a matrix of event types × channels (inbox: on or off;
 * e-mail: immediately, daily or weekly digest, off), the first row for every type at once,
 * and the time zone digests follow. Each choice is saved as it is made. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Select, Space, Table, Typography } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { execute } from "../../app/client";
import { payloadErrors, useGql } from "../../app/data";
import { Problems } from "../../app/ui";
import { PreferencesDocument, SetPreferenceDocument, useEventTypes } from "./data";
import { cellChoices, CHANNELS, DEFAULT, preferenceRows, type Channel, type PreferenceRow } from "./model";

interface Change { cadence: string; channel: string; eventType: string | null; timezone: string | null }

function useSetPreference() {
  const client = useQueryClient();
  const { message } = App.useApp();
  const { t } = useTranslation();
  return useMutation({
    mutationFn: (change: Change) => execute(SetPreferenceDocument, change),
    onSuccess: async (data) => {
      if (!data.setMyNotificationPreference.errors.length) void message.success(t("inbox.saved"));
      await client.invalidateQueries({ queryKey: [PreferencesDocument.toString()] });
    },
  });
}

function zones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set(["UTC", current, ...known])];
}

function CadenceSelect(props: { row: PreferenceRow; channel: Channel; onChange: (value: string) => void; busy: boolean }) {
  const { t } = useTranslation();
  const { row, channel } = props;
  const word = (value: string) => channel === "inbox" ? t(`inbox.inboxCadences.${value}`) : t(`inbox.cadences.${value}`);
  const base = row.cells[channel].channel;
  const options = cellChoices(channel, row).map((value) => ({
    value, label: value === DEFAULT ? t("inbox.cadences.default", { value: word(base) }) : word(value) }));
  return (
    <Select aria-label={t("inbox.cellLabel", { channel: t(`inbox.channels.${channel}`), type: row.title })}
      value={row.cells[channel].value} options={options} onChange={props.onChange} disabled={props.busy}
      style={{ minWidth: 200 }} data-testid={`pref-${channel}-${row.key}`} />
  );
}

export function Preferences() {
  const { t } = useTranslation();
  const prefs = useGql(PreferencesDocument, {});
  const types = useEventTypes();
  const save = useSetPreference();
  const stored = prefs.data?.myNotificationPreferences ?? [];
  const rows = useMemo(() => preferenceRows(types.data ?? [], stored, t("inbox.allTypes")), [types.data, stored, t]);
  const timezone = stored.find((p) => p.channel === "email")?.timezone ?? "UTC";
  const change = (row: PreferenceRow, channel: Channel) => (cadence: string) =>
    save.mutate({ cadence, channel, eventType: row.eventType, timezone: null });
  return (
    <>
      <Problems error={prefs.error ?? types.error ?? save.error} errors={payloadErrors(save.data?.setMyNotificationPreference)} />
      <Typography.Paragraph type="secondary">{t("inbox.matrixHelp")}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }} wrap>
        <label htmlFor="notify-timezone">{t("inbox.timezone")}</label>
        <Select id="notify-timezone" showSearch value={timezone} style={{ minWidth: 240 }} disabled={save.isPending}
          options={zones(timezone).map((z) => ({ value: z, label: z }))}
          onChange={(zone: string) => save.mutate({ cadence: stored.find((p) => p.channel === "email")?.cadence ?? "immediate",
            channel: "email", eventType: null, timezone: zone })} />
        <Typography.Text type="secondary">{t("inbox.timezoneHelp")}</Typography.Text>
      </Space>
      <Table rowKey="key" size="small" loading={prefs.isPending || types.isPending} dataSource={rows} pagination={false}
        data-testid="preferences" data-ready={Boolean(prefs.data && types.data)}
        scroll={{ x: true }} columns={[
          { title: t("inbox.eventType"), dataIndex: "title", render: (v: string, row) => row.eventType
            ? v : <Typography.Text strong>{v}</Typography.Text> },
          ...CHANNELS.map((c) => ({
            title: t(`inbox.channels.${c.channel}`), key: c.channel,
            render: (_: unknown, row: PreferenceRow) => <CadenceSelect row={row} channel={c.channel}
              onChange={change(row, c.channel)} busy={save.isPending} />,
          })),
        ]} />
    </>
  );
}
