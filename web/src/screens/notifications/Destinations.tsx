/** The tenant's destinations: register one (e-mail, Standard Webhooks, WeCom, DingTalk or
 * Feishu robot; every field the server refuses shown at the field), a webhook's signing
 * secret shown once after registering or rotating, a test send that says what the receiver
 * answered, and removal after a confirmation. */
import { Alert, App, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql } from "../../app/data";
import { Tag } from "../../app/Tag";
import { Problems } from "../../app/ui";
import { useWorkspace } from "../../app/workspace";
import {
  DestinationsDocument, RegisterDestinationDocument, RemoveDestinationDocument, RotateSecretDocument, TestSendDocument,
} from "./data";
import { byField } from "./model";
import { emptyText, FieldItem, ManageButton, SecretOnce, useManage, useTabMutation } from "./parts";

const KINDS = ["webhook", "email", "wecom", "dingtalk", "feishu"] as const;
const SIGNED = new Set(["webhook", "dingtalk", "feishu"]);
const LANGUAGES: Record<string, string> = { en: "English", "zh-CN": "中文" };

interface Values { kind: string; name: string; target: string; secret?: string; locale: string; ratePerMinute: number }

function RegisterForm(props: { onSecret: (secret: string | null) => void }) {
  const { t, i18n } = useTranslation();
  const { tenant } = useWorkspace();
  const { message } = App.useApp();
  const manage = useManage();
  const register = useTabMutation(RegisterDestinationDocument);
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch("kind", form) ?? "webhook";
  const { fields, other } = byField(payloadErrors(register.data?.registerNotificationDestination));
  async function submit(values: Values) {
    const result = (await register.mutateAsync({ tenantId: tenant.id, kind: values.kind, name: values.name.trim(),
      target: values.target.trim(), secret: values.secret?.trim() || null, locale: values.locale,
      ratePerMinute: values.ratePerMinute })).registerNotificationDestination;
    if (result.errors.length) return;
    form.resetFields(["name", "target", "secret"]);
    props.onSecret(result.secret ?? null);
    void message.success(t("notifications.registered"));
  }
  return (
    <Card size="small" title={t("notifications.register")}>
      <Problems error={register.error} errors={other} />
      <Form form={form} layout="vertical" onFinish={submit} disabled={!manage.allowed} requiredMark={false}
        initialValues={{ kind: "webhook", locale: i18n.language === "zh-CN" ? "zh-CN" : "en", ratePerMinute: 30 }}>
        <Space wrap align="start" size="middle">
          <FieldItem name="kind" field="kind" errors={fields} label={t("notifications.kind")}>
            <Select style={{ minWidth: 180 }} options={KINDS.map((k) => ({ value: k, label: t(`notifications.kinds.${k}`) }))} />
          </FieldItem>
          <FieldItem name="name" field="name" errors={fields} label={t("notifications.name")} rules={[{ required: true }]}>
            <Input style={{ width: 200 }} /></FieldItem>
          <FieldItem name="target" field="target" errors={fields} label={t("notifications.target")} rules={[{ required: true }]}
            extra={t(`notifications.targetHelp.${kind}`)}><Input style={{ width: 360, maxWidth: "80vw" }} /></FieldItem>
          {SIGNED.has(kind) ? <FieldItem name="secret" field="secret" errors={fields} label={t("notifications.secret")}
            extra={t(`notifications.secretHelp.${kind}`)}><Input.Password style={{ width: 260 }} autoComplete="off" /></FieldItem> : null}
          <FieldItem name="locale" field="locale" errors={fields} label={t("notifications.locale")}>
            <Select style={{ width: 120 }} options={Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }))} /></FieldItem>
          <FieldItem name="ratePerMinute" field="ratePerMinute" errors={fields} label={t("notifications.rate")}>
            <InputNumber min={1} max={600} style={{ width: 120 }} /></FieldItem>
        </Space>
        <ManageButton type="primary" htmlType="submit" loading={register.isPending}>{t("notifications.register")}</ManageButton>
      </Form>
    </Card>
  );
}

type Destination = NonNullable<ReturnType<typeof useDestinations>["data"]>["notificationDestinations"]["nodes"][number];

function useDestinations() {
  const { tenant } = useWorkspace();
  return useGql(DestinationsDocument, { tenantId: tenant.id });
}

function RobotSecret(props: { destination: Destination | null; onClose: () => void; onRotate: (secret: string) => void }) {
  const { t } = useTranslation();
  const [secret, setSecret] = useState("");
  return (
    <Modal open={Boolean(props.destination)} title={`${t("notifications.rotate")} · ${props.destination?.name ?? ""}`}
      onCancel={props.onClose} onOk={() => { props.onRotate(secret.trim()); setSecret(""); }} okButtonProps={{ disabled: !secret.trim() }}>
      <Form layout="vertical"><Form.Item label={t("notifications.rotateSecret")} htmlFor="robot-secret">
        <Input.Password id="robot-secret" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="off" />
      </Form.Item></Form>
    </Modal>
  );
}

function TestResult(props: { status: string; lastStatus: string; detail: string }) {
  const { t } = useTranslation();
  const delivered = props.status === "delivered";
  const answer = [props.lastStatus, props.detail].filter(Boolean).join(" · ");
  return (
    <Alert type={delivered ? "success" : "error"} showIcon style={{ marginBottom: 16 }} role="status" data-testid="test-result"
      data-status={props.status} title={t(delivered ? "notifications.testDelivered" : "notifications.testFailed", { status: answer })} />
  );
}

export function Destinations() {
  const { t } = useTranslation();
  const { tenant } = useWorkspace();
  const { message } = App.useApp();
  const list = useDestinations();
  const [secret, setSecret] = useState<string | null>(null);
  const [robot, setRobot] = useState<Destination | null>(null);
  const test = useTabMutation(TestSendDocument);
  const rotate = useTabMutation(RotateSecretDocument);
  const remove = useTabMutation(RemoveDestinationDocument);
  const tested = test.data?.sendTestNotification.delivery;
  async function rotateSecret(destination: Destination, robotSecret: string | null) {
    setRobot(null);
    const result = (await rotate.mutateAsync({ tenantId: tenant.id, destinationId: destination.id, secret: robotSecret })).rotateNotificationSecret;
    if (result.errors.length) return;
    setSecret(result.secret ?? null);
    void message.success(t("notifications.rotated"));
  }
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <RegisterForm onSecret={setSecret} />
      {secret ? <SecretOnce title={t("notifications.secretOnce")} secret={secret} testId="destination-secret" /> : null}
      <Problems error={list.error ?? test.error ?? rotate.error ?? remove.error} errors={[
        ...payloadErrors(test.data?.sendTestNotification), ...payloadErrors(rotate.data?.rotateNotificationSecret),
        ...payloadErrors(remove.data?.removeNotificationDestination)]} />
      {tested ? <TestResult {...tested} /> : null}
      <Table rowKey="id" size="small" loading={list.isPending} pagination={false} scroll={{ x: true }}
        dataSource={[...(list.data?.notificationDestinations.nodes ?? [])].sort((a, b) => a.name.localeCompare(b.name))}
        locale={emptyText(t("notifications.noDestinations"))}
        columns={[
          { title: t("notifications.name"), dataIndex: "name" },
          { title: t("notifications.kind"), dataIndex: "kind", render: (v: string) => t(`notifications.kinds.${v}`, v) },
          { title: t("notifications.target"), dataIndex: "target", onCell: () => ({ style: { minWidth: 240 } }),
            render: (v: string) => <Typography.Text code style={{ wordBreak: "break-all" }}>{v}</Typography.Text> },
          { title: t("notifications.locale"), dataIndex: "locale", render: (v: string) => LANGUAGES[v] ?? v },
          { title: t("notifications.secret"), render: (_: unknown, d: Destination) => <Space wrap>
            <Tag color={d.signed ? "green" : undefined}>{t(d.signed ? "notifications.signed" : "notifications.unsigned")}</Tag>
            {d.secretsInUse > 1 ? <Tag color="gold">{t("notifications.rotating")}</Tag> : null}</Space> },
          { title: t("common.actions"), render: (_: unknown, d: Destination) => <Space wrap>
            <ManageButton size="small" loading={test.isPending && test.variables?.destinationId === d.id}
              onClick={() => test.mutate({ tenantId: tenant.id, destinationId: d.id })}>{t("notifications.test")}</ManageButton>
            {SIGNED.has(d.kind) ? <ManageButton size="small" confirm={d.kind === "webhook" ? t("notifications.rotate") : undefined}
              onConfirm={() => d.kind === "webhook" ? void rotateSecret(d, null) : setRobot(d)}>{t("notifications.rotate")}</ManageButton> : null}
            <ManageButton size="small" danger confirm={t("notifications.removeConfirm")}
              onConfirm={() => remove.mutate({ tenantId: tenant.id, destinationId: d.id })}>{t("notifications.remove")}</ManageButton>
          </Space> },
        ]} />
      <RobotSecret destination={robot} onClose={() => setRobot(null)} onRotate={(s) => robot && void rotateSecret(robot, s)} />
    </Space>
  );
}
