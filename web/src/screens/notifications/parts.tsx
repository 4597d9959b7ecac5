/** Pieces the notification screens share: tabs that follow the URL, the tenant tabs'
 * mutations, a control gated by `manage` (with the reason as its tooltip), a confirmed one, a
 * secret shown once with its copy button, a readable empty table, and form items that show
 * the server's message for their field. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Form, Popconfirm, Tabs, Typography, type ButtonProps, type FormItemProps } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { execute } from "../../app/client";
import { GatedButton } from "../../app/ui";
import { useWorkspace } from "../../app/workspace";
import type { TypedDocumentString } from "../../gql/graphql";

/** A mutation of the tenant's notification tabs: when it succeeds, their lists (destinations,
 * rules, the delivery log) are asked again, nothing else. */
export function useTabMutation<R, V>(document: TypedDocumentString<R, V>) {
  const client = useQueryClient();
  return useMutation<R, Error, V>({
    mutationFn: (variables: V) => execute(document, variables),
    onSuccess: () => client.invalidateQueries({ predicate: (q) => /\bNotification(Destinations|Rules|Deliveries)\b/.test(String(q.queryKey[0])) }),
  });
}

/** Whether the role may change notifications here, and why not. */
export function useManage(): { allowed: boolean; reason: string } {
  const { t } = useTranslation();
  const { access } = useWorkspace();
  return { allowed: access.can("ipgov:notification", "manage"), reason: t("notifications.needManage") };
}

export function ManageButton(props: ButtonProps & { confirm?: string; onConfirm?: () => void }) {
  const manage = useManage();
  const { confirm, onConfirm, ...rest } = props;
  if (!manage.allowed || !confirm) {
    return <GatedButton {...rest} allowed={manage.allowed} reason={manage.reason} onClick={onConfirm ?? rest.onClick} />;
  }
  return <Popconfirm title={confirm} onConfirm={onConfirm}><GatedButton {...rest} allowed /></Popconfirm>;
}

export function SecretOnce(props: { title: string; secret: string; testId: string }) {
  return (
    <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={props.title} description={
      <Typography.Paragraph copyable={{ text: props.secret }} style={{ margin: 0 }} data-testid={props.testId}>
        <Typography.Text code>{props.secret}</Typography.Text></Typography.Paragraph>} />
  );
}

/** A table's text when it has no rows, dark enough to read (antd's own grey is not, on white). */
export function emptyText(text: string) {
  return { emptyText: <Typography.Text type="secondary">{text}</Typography.Text> };
}

/** A form item whose field the server refused shows the server's message in place. */
export function FieldItem(props: FormItemProps & { errors: Record<string, string>; field: string; children: ReactNode }) {
  const { errors, field, ...rest } = props;
  const message = errors[field];
  return <Form.Item {...rest} validateStatus={message ? "error" : undefined} help={message ?? rest.help}>{props.children}</Form.Item>;
}

/** Tabs whose choice is the URL's next segment (`<base>/<key>`, the first when none), so a
 * link (the bell's "Preferences") opens the right one and Back goes to the previous. */
export function RoutedTabs(props: { base: string; items: { key: string; label: string; children: ReactNode }[] }) {
  const navigate = useNavigate();
  const segment = (useParams()["*"] ?? "").split("/")[0];
  const active = props.items.some((i) => i.key === segment) ? segment : props.items[0].key;
  return <Tabs activeKey={active} onChange={(key) => navigate(`${props.base}/${key}`)} destroyOnHidden items={props.items} />;
}
