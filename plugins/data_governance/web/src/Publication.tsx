/** The pre-publication check: a text screened for three risks, each with its verdict and
 * reason; the matched passages side by side with the records the reader may see. */
import { GatedButton, PageTitle, Problems, formatDate, useExtension } from "@ipgov/workspace-sdk";
import { Alert, Button, Card, Col, Form, Input, List, Row, Space, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import type { PublicationCheckPartsFragment } from "../../../../web/src/gql/graphql";
import { PAGE, PUBLICATION, Pager, useCursor, useM, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

graphql(`
  fragment PublicationCheckParts on PublicationCheckType {
    id title channel text textWithheld submittedBy submittedByActor { name } submittedAt verdict
    risks { risk verdict reason protectedMatch }
    matches { plugin objectKind objectId ref title score risk passages { text matched where score start end } }
  }
`);

const SubmitDocument = graphql(`
  mutation DataGovernanceSubmitPublicationCheck($tenantId: ID!, $title: String!, $text: String!, $channel: String!) {
    submitPublicationCheck(tenantId: $tenantId, title: $title, text: $text, channel: $channel) {
      check { ...PublicationCheckParts } errors { code message field }
    }
  }
`);

const ChecksDocument = graphql(`
  query DataGovernancePublicationChecks($tenantId: ID!, $first: Int!, $after: String) {
    publicationChecks(tenantId: $tenantId, first: $first, after: $after) {
      nodes { ...PublicationCheckParts }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const VERDICT_COLOR: Record<string, string> = { clear: "green", review: "orange", block: "red" };

function Verdict(props: { verdict: string }) {
  const t = useT();
  return <Tag color={VERDICT_COLOR[props.verdict]}>{t(`verdict_${props.verdict}` as "verdict_clear")}</Tag>;
}

function CheckResult(props: { check: PublicationCheckPartsFragment }) {
  const t = useT();
  const { language } = useExtension();
  const c = props.check;
  return (
    <Card data-testid="publication-result" title={<span role="heading" aria-level={3}>{c.title}</span>}
      extra={<Space><Typography.Text type="secondary">{t("submittedBy", { who: c.submittedByActor?.name ?? c.submittedBy, when: formatDate(c.submittedAt, language) })}</Typography.Text>
        <Verdict verdict={c.verdict} /></Space>}>
      <List size="small" dataSource={[...c.risks]} renderItem={(r) => (
        <List.Item key={r.risk}>
          <Space orientation="vertical" size={2}>
            <Space><Typography.Text strong>{t(`risk_${r.risk}` as "risk_novelty_loss")}</Typography.Text><Verdict verdict={r.verdict} /></Space>
            <Typography.Text>{r.reason}</Typography.Text>
            {r.protectedMatch ? <Alert type="warning" showIcon title={t("protectedMatch")} /> : null}
          </Space>
        </List.Item>)} />
      {c.textWithheld ? <Alert type="info" showIcon style={{ margin: "12px 0" }} title={t("textWithheld")} /> : null}
      {c.matches.length ? <Typography.Title level={4} style={{ marginTop: 16 }}>{t("matches")}</Typography.Title> : null}
      {c.matches.map((m) => (
        <section key={`${m.plugin}:${m.objectId}:${m.risk}`} aria-label={`${m.ref} ${m.title}`} style={{ marginBottom: 16 }}>
          <Space wrap><Typography.Text strong>{m.ref} {m.title}</Typography.Text>
            <Tag>{t(`risk_${m.risk}` as "risk_novelty_loss")}</Tag><Tag>{t("score")} {m.score.toFixed(2)}</Tag></Space>
          {m.passages.map((p, i) => (
            <Row key={i} gutter={[16, 8]} style={{ marginTop: 8 }}>
              <Col xs={24} md={12}><Card size="small" type="inner" title={t("inText")}>
                <Typography.Paragraph style={{ margin: 0 }}><mark>{p.text}</mark></Typography.Paragraph></Card></Col>
              <Col xs={24} md={12}><Card size="small" type="inner" title={t("inRecord", { where: p.where })}
                extra={<Typography.Text type="secondary">{p.score.toFixed(2)}</Typography.Text>}>
                <Typography.Paragraph style={{ margin: 0 }}>{p.matched}</Typography.Paragraph></Card></Col>
            </Row>))}
        </section>))}
    </Card>
  );
}

export function Publication() {
  const t = useT();
  const { can, language } = useExtension();
  const tenantId = useTenant();
  const [shown, setShown] = useState<PublicationCheckPartsFragment | null>(null);
  const submit = useM(SubmitDocument);
  const cursor = useCursor();
  const checks = useQ(ChecksDocument, { tenantId, first: PAGE, after: cursor.after });
  const allowed = can(PUBLICATION, "create");
  const payload = submit.data?.submitPublicationCheck;
  async function send(v: { title?: string; channel?: string; text?: string }) {
    const result = (await submit.mutateAsync({ tenantId, title: v.title ?? "", text: v.text ?? "", channel: v.channel ?? "" })).submitPublicationCheck;
    if (result.check) setShown(result.check);
  }
  const data = checks.data?.publicationChecks;
  return (
    <>
      <PageTitle>{t("pubTitle")}</PageTitle>
      <Typography.Paragraph type="secondary">{t("pubIntro")}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card>
            {allowed ? null : <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t("notAllowedCheck")} />}
            <Problems errors={payload?.errors} error={submit.error} />
            <Form layout="vertical" onFinish={send} disabled={!allowed || submit.isPending}>
              <Form.Item name="title" label={t("title")} rules={[{ required: true }]}><Input maxLength={300} /></Form.Item>
              <Form.Item name="channel" label={t("channel")}><Input maxLength={200} /></Form.Item>
              <Form.Item name="text" label={t("text")} extra={t("textHelp")} rules={[{ required: true }]}>
                <Input.TextArea rows={6} maxLength={50000} /></Form.Item>
              <GatedButton allowed={allowed} type="primary" htmlType="submit" loading={submit.isPending}>{t("check")}</GatedButton>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card size="small" title={<span role="heading" aria-level={3}>{t("checks")}</span>}>
            <Problems error={checks.error} />
            <List loading={checks.isPending} dataSource={[...(data?.nodes ?? [])]} locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.65)" }}>{t("noChecks")}</span> }}
              renderItem={(c) => (
                <List.Item key={c.id} actions={[<Button key="show" size="small" aria-label={`${t("show")} ${c.title}`}
                  onClick={() => setShown(c)}>{t("show")}</Button>]}>
                  <List.Item.Meta title={<Space wrap>{c.title}<Verdict verdict={c.verdict} /></Space>}
                    description={t("submittedBy", { who: c.submittedByActor?.name ?? c.submittedBy, when: formatDate(c.submittedAt, language) })} />
                </List.Item>)} />
            <Pager cursor={cursor} info={data?.pageInfo} />
          </Card>
        </Col>
        {shown ? <Col span={24}><CheckResult check={shown} /></Col> : null}
      </Row>
    </>
  );
}
