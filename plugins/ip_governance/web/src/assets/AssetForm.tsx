/** Registering or changing an asset: every field the server refuses is shown at that field. */
import { Col, Form, Input, Modal, Row, Select, App } from "antd";
import { Problems, useExtension } from "@ipgov/workspace-sdk";
import { useEffect, useState } from "react";
import { CreateAssetDocument, UpdateAssetDocument } from "../operations";
import { useTenantMutation } from "../data";
import { ASSET_KINDS, ASSET_STATUSES, VALUE_TIERS, optionsOf, useTexts } from "../texts";
import { DATE_FIELDS, FIELDS, TEXT_FIELDS, toInput, toValues, type Asset, type Values } from "./values";

export type { Asset } from "./values";
interface UserError { code: string; message: string; field?: string | null }

export function AssetForm(props: { asset: Asset | null; open: boolean; onClose: () => void }) {
  const { t, word } = useTexts();
  const { language } = useExtension();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [problems, setProblems] = useState<UserError[]>([]);
  const create = useTenantMutation(CreateAssetDocument);
  const update = useTenantMutation(UpdateAssetDocument);
  const { asset, open, onClose } = props;
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(toValues(asset));
    setProblems([]);
  }, [open, asset, form]);

  async function submit() {
    const values = await form.validateFields();
    const input = toInput(values);
    const payload = asset
      ? (await update.run({ id: asset.id, input })).updateIpAsset
      : (await create.run({ input })).createIpAsset;
    const errors: UserError[] = payload.errors;
    form.setFields(FIELDS.map((name) => ({ name, errors: errors.filter((e) => e.field === name).map((e) => e.message) })));
    setProblems(errors.filter((e) => !e.field || !FIELDS.includes(e.field)));
    if (!errors.length) {
      void message.success(asset ? t("saved") : t("created", { title: String(values.title) }));
      onClose();
    }
  }

  const busy = create.isPending || update.isPending;
  const text = (name: (typeof TEXT_FIELDS)[number], required = false) => (
    <Form.Item name={name} label={t(name)} rules={required ? [{ required: true, message: t(name) }] : undefined}>
      <Input autoComplete="off" />
    </Form.Item>
  );
  return (
    <Modal open={open} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} width={760}
      title={asset ? t("editAsset", { title: asset.title }) : t("newAsset")} okText={t("save")} cancelText={t("cancel")}
      forceRender>
      <Problems errors={problems} error={create.error ?? update.error} />
      <Form form={form} layout="vertical" lang={language} name="ip-asset">
        <Row gutter={16}>
          <Col xs={24} md={16}>{text("title", true)}</Col>
          <Col xs={24} md={8}>
            <Form.Item name="kind" label={t("kind")}><Select options={optionsOf(ASSET_KINDS, word)} /></Form.Item>
          </Col>
          <Col xs={12} md={6}>{text("jurisdiction")}</Col>
          <Col xs={12} md={6}>
            <Form.Item name="status" label={t("status")}><Select options={optionsOf(ASSET_STATUSES, word)} /></Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="valueTier" label={t("valueTier")}>
              <Select allowClear options={VALUE_TIERS.map((v) => ({ value: v, label: v }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>{text("familyId")}</Col>
          <Col xs={24} md={8}>{text("applicationNumber")}</Col>
          <Col xs={24} md={8}>{text("publicationNumber")}</Col>
          <Col xs={24} md={8}>{text("registrationNumber")}</Col>
          <Col xs={12} md={8}>{text("kindCode")}</Col>
          <Col xs={12} md={8}>{text("assignee")}</Col>
          <Col xs={24} md={8}>{text("owner")}</Col>
          <Col xs={24} md={12}>
            <Form.Item name="inventors" label={t("inventors")} extra={t("inventorsHint")}>
              <Select mode="tags" suffixIcon={null} notFoundContent={null} tokenSeparators={[]} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="cpcCodes" label={t("cpcCodes")} extra={t("listHint")}><Input /></Form.Item>
          </Col>
          {DATE_FIELDS.map((name) => (
            <Col xs={12} md={8} key={name}>
              <Form.Item name={name} label={t(name)}><Input type="date" /></Form.Item>
            </Col>
          ))}
        </Row>
      </Form>
    </Modal>
  );
}
