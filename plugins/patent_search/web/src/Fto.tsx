/** FTO screening: a solution's text against the claims of the readable collections, each matched
 * claim side by side with the passage of the screened text; earlier screenings as evidence. */
import { GatedButton, PageTitle, Problems, formatDate, useExtension, Pager, useCursor } from "@ipgov/workspace-sdk";
import { Alert, Button, Card, Col, Collapse, Empty, Form, Input, List, Row, Space, Typography } from "antd";
import { useState } from "react";
import { graphql } from "../../../../web/src/gql";
import type { FtoScreeningPartsFragment } from "../../../../web/src/gql/graphql";
import { DocumentDrawer, type DocumentRef } from "./Document";
import { CollectionPicker } from "./Search";
import { DOC, MarkTerms, PAGE, useM, useQ, useTenant, Tag } from "./data";
import { useT } from "./texts";

graphql(`
  fragment FtoScreeningParts on FtoScreening {
    id title createdBy createdByActor { name } createdAt disclaimer
    hits {
      collectionId publicationNumber title score comparedWith claimsAvailable note
      claims { number part label text passage start end score sharedTerms }
    }
  }
`);

const ScreenDocument = graphql(`
  mutation PatentSearchScreenFto($tenantId: ID!, $title: String!, $text: String!, $collectionIds: [ID!]) {
    screenFto(tenantId: $tenantId, title: $title, text: $text, collectionIds: $collectionIds) {
      screening { ...FtoScreeningParts }
      errors { code message field }
    }
  }
`);

const ScreeningsDocument = graphql(`
  query PatentSearchFtoScreenings($tenantId: ID!, $first: Int!, $after: String) {
    ftoScreenings(tenantId: $tenantId, first: $first, after: $after) {
      nodes { ...FtoScreeningParts }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

type Match = FtoScreeningPartsFragment["hits"][number]["claims"][number];

/** One matched claim (or abstract) beside the passage of the screened text it resembles. */
function MatchRow(props: { match: Match }) {
  const t = useT();
  const c = props.match;
  return (
    <Row gutter={[16, 8]} style={{ marginTop: 8 }} data-testid="fto-match">
      <Col xs={24} md={12}>
        <Card size="small" type="inner" title={t("matchedPassage")}>
          <Typography.Paragraph style={{ margin: 0, whiteSpace: "pre-wrap" }}>
            <MarkTerms text={c.passage} terms={c.sharedTerms} />
          </Typography.Paragraph>
        </Card>
      </Col>
      <Col xs={24} md={12}>
        <Card size="small" type="inner" title={c.number ? t("claimN", { n: c.number }) : c.label}
          extra={<Typography.Text type="secondary">{t("score")} {c.score.toFixed(2)}</Typography.Text>}>
          <Typography.Paragraph style={{ margin: 0 }}>
            <MarkTerms text={c.text} terms={c.sharedTerms} />
          </Typography.Paragraph>
        </Card>
      </Col>
      {c.sharedTerms.length ? (
        <Col span={24}>
          <Typography.Text type="secondary">{t("sharedTerms")}: </Typography.Text>
          <Space size={[4, 4]} wrap>{c.sharedTerms.map((w) => <Tag key={w}>{w}</Tag>)}</Space>
        </Col>) : null}
    </Row>
  );
}

function ScreeningResult(props: { screening: FtoScreeningPartsFragment; text?: string; onOpen: (d: DocumentRef) => void }) {
  const t = useT();
  const { language } = useExtension();
  const s = props.screening;
  const who = s.createdByActor?.name ?? s.createdBy;
  return (
    <Card title={<span role="heading" aria-level={3}>{`${t("screening")}: ${s.title}`}</span>}
      extra={<Typography.Text type="secondary">{t("screenedBy", { who, when: formatDate(s.createdAt, language) })}</Typography.Text>}>
      <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={s.disclaimer} />
      {props.text ? <Card size="small" type="inner" style={{ marginBottom: 16 }} title={t("screenedText")}>
        <Typography.Paragraph style={{ margin: 0, whiteSpace: "pre-wrap" }} ellipsis={{ rows: 6, expandable: true }}>{props.text}</Typography.Paragraph>
      </Card> : null}
      {s.hits.length ? null : <Empty description={t("noFtoHits")} />}
      <Space orientation="vertical" size="large" style={{ width: "100%" }} data-testid="fto-hits">
        {s.hits.map((h) => (
          <section key={`${h.collectionId}:${h.publicationNumber}`} aria-label={`${h.publicationNumber} ${h.title}`}>
            <Space wrap size={[8, 4]}>
              <Button type="link" style={{ padding: 0, fontWeight: 600, whiteSpace: "normal", height: "auto", textAlign: "start" }}
                onClick={() => props.onOpen({ collectionId: h.collectionId, publicationNumber: h.publicationNumber })}>
                {h.publicationNumber} {h.title}</Button>
              <Tag>{t("score")} {h.score.toFixed(2)}</Tag>
              <Tag color={h.comparedWith === "claims" ? "blue" : "default"}>
                {t("comparedWith")}: {t(`compared_${h.comparedWith}` as "compared_claims")}</Tag>
            </Space>
            {h.note ? <Typography.Paragraph type="secondary" style={{ margin: "4px 0" }}>{h.note}</Typography.Paragraph> : null}
            {h.claims.slice(0, 1).map((c, i) => <MatchRow key={i} match={c} />)}
            {h.claims.length > 1 ? (
              <Collapse size="small" ghost style={{ marginTop: 4 }} items={[{ key: "more", label: t("moreMatches", { count: h.claims.length - 1 }),
                children: h.claims.slice(1).map((c, i) => <MatchRow key={i} match={c} />) }]} />) : null}
          </section>))}
      </Space>
    </Card>
  );
}

function Screenings(props: { onShow: (s: FtoScreeningPartsFragment) => void }) {
  const t = useT();
  const { language } = useExtension();
  const tenantId = useTenant();
  const cursor = useCursor();
  const page = useQ(ScreeningsDocument, { tenantId, first: PAGE, after: cursor.after });
  const data = page.data?.ftoScreenings;
  return (
    <Card title={<span role="heading" aria-level={3}>{t("screenings")}</span>} size="small">
      <Problems error={page.error} />
      <List loading={page.isPending} dataSource={[...(data?.nodes ?? [])]} locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.65)" }}>{t("noScreenings")}</span> }}
        renderItem={(s) => (
          <List.Item key={s.id} actions={[<Button key="show" size="small" aria-label={`${t("showScreening")} ${s.title}`}
            onClick={() => props.onShow(s)}>{t("showScreening")}</Button>]}>
            <List.Item.Meta title={s.title} description={`${formatDate(s.createdAt, language)} · ${t("hits", { count: s.hits.length })}`} />
          </List.Item>)} />
      <Pager cursor={cursor} info={data?.pageInfo} />
    </Card>
  );
}

export function Fto() {
  const t = useT();
  const { can } = useExtension();
  const tenantId = useTenant();
  const [collections, setCollections] = useState<string[]>([]);
  const [shown, setShown] = useState<{ screening: FtoScreeningPartsFragment; text?: string } | null>(null);
  const [open, setOpen] = useState<DocumentRef | null>(null);
  const screen = useM(ScreenDocument);
  const allowed = can(DOC, "screen");
  const payload = screen.data?.screenFto;

  async function submit(values: { title: string; text: string }) {
    const result = (await screen.mutateAsync({ tenantId, title: values.title ?? "", text: values.text ?? "",
      collectionIds: collections.length ? collections : null })).screenFto;
    if (result.screening) setShown({ screening: result.screening, text: values.text });
  }

  return (
    <>
      <PageTitle>{t("ftoTitle")}</PageTitle>
      <Typography.Paragraph type="secondary">{t("ftoIntro")}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card>
            {allowed ? null : <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t("notAllowedScreen")} />}
            <Problems errors={payload?.errors} error={screen.error} />
            <Form layout="vertical" onFinish={submit} disabled={!allowed || screen.isPending}>
              <Form.Item name="title" label={t("ftoSolutionTitle")} rules={[{ required: true }]}>
                <Input maxLength={300} />
              </Form.Item>
              <Form.Item name="text" label={t("ftoText")} extra={t("ftoTextHelp")} rules={[{ required: true }]}>
                <Input.TextArea rows={6} maxLength={20000} />
              </Form.Item>
              <Form.Item label={t("collections")}>
                <CollectionPicker value={collections} onChange={setCollections} />
              </Form.Item>
              <GatedButton allowed={allowed} type="primary" htmlType="submit" loading={screen.isPending}>{t("screen")}</GatedButton>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={8}><Screenings onShow={(screening) => setShown({ screening })} /></Col>
        {shown ? <Col span={24}><ScreeningResult screening={shown.screening} text={shown.text} onOpen={setOpen} /></Col> : null}
      </Row>
      <DocumentDrawer document={open} onClose={() => setOpen(null)} />
    </>
  );
}
