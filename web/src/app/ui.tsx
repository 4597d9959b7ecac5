/** Small pieces every screen uses: errors as a person reads them, permission gates, titles. */
import { Alert, Button, Space, Tooltip, Typography, type ButtonProps } from "antd";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { UserErrorShape } from "./data";

export function PageTitle(props: { children: ReactNode; extra?: ReactNode }) {
  return (
    <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 16 }} wrap>
      <Typography.Title level={2} style={{ margin: 0 }}>{props.children}</Typography.Title>
      {props.extra}
    </Space>
  );
}

/** A refused request or a mutation's typed errors: code and message, in the person's language. */
export function Problems(props: { errors?: readonly UserErrorShape[]; error?: Error | null }) {
  const { t } = useTranslation();
  const list = [...(props.errors ?? [])];
  if (props.error) {
    const code = (props.error as { code?: string }).code ?? "ERROR";
    list.push({ code, message: props.error.message });
  }
  if (!list.length) return null;
  return (
    <Alert type="error" showIcon role="alert" style={{ marginBottom: 16 }} title={t("common.error")}
      description={<ul style={{ margin: 0, paddingInlineStart: 18 }}>{list.map((e, i) => (
        <li key={i}><Typography.Text code>{e.code}</Typography.Text> {e.message}
          {e.field ? <Typography.Text type="secondary"> ({e.field})</Typography.Text> : null}</li>))}
      </ul>} />
  );
}

/** A button that is disabled, with the reason as its tooltip, when the role (or `reason`) does
 * not allow it. */
export function GatedButton(props: ButtonProps & { allowed: boolean; reason?: string }) {
  const { t } = useTranslation();
  const { allowed, reason, ...rest } = props;
  if (allowed) return <Button {...rest} />;
  return (
    <Tooltip title={reason ?? t("common.notAllowed")}>
      <Button {...rest} disabled aria-disabled="true" />
    </Tooltip>
  );
}

export function formatDate(value: string | null | undefined, lang: string): string {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(lang === "zh-CN" ? "zh-CN" : "en-GB",
    value.length <= 10 ? { dateStyle: "medium" } : { dateStyle: "medium", timeStyle: "short" });
}

/** A stack of cursors over a connection: previous / next pages, back to the first on `reset`. */
export function useCursor() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1], page: cursors.length, reset: () => setCursors([null]),
    back: () => setCursors(cursors.slice(0, -1)), forward: (c: string) => setCursors([...cursors, c]),
  };
}

/** Previous / page n / next under a list paged with `useCursor` (hidden when there is one page). */
export function Pager(props: { cursor: ReturnType<typeof useCursor>; info?: { hasNextPage: boolean; endCursor?: string | null } }) {
  const { t } = useTranslation();
  const { cursor, info } = props;
  if (cursor.page < 2 && !info?.hasNextPage) return null;
  return (
    <Space style={{ marginTop: 8 }}>
      <Button size="small" disabled={cursor.page < 2} onClick={cursor.back}>{t("common.previous")}</Button>
      <Typography.Text>{t("common.page", { page: cursor.page })}</Typography.Text>
      <Button size="small" disabled={!info?.hasNextPage}
        onClick={() => info?.endCursor && cursor.forward(info.endCursor)}>{t("common.next")}</Button>
    </Space>
  );
}
