/** Home: what needs me in this tenant — my directives, escalations to decide, reviews running,
 * and the widgets plugins put on it (deadlines, watchlist matches…). */
import { Card, Col, Empty, List, Row, Typography } from "antd";
import { Tag } from "../app/Tag";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { useGql } from "../app/data";
import { HomeWidgets, useExtensions } from "../app/extensions";
import { formatDate, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";

const HomeDocument = graphql(`
  query Home($tenantId: ID!, $directives: Boolean!, $escalations: Boolean!, $reviews: Boolean!) {
    directives(tenantId: $tenantId, status: "open", first: 100) @include(if: $directives) {
      nodes { id action ownerRole ownerUserId dueAt severity severityLabel functionLabel }
    }
    escalations(tenantId: $tenantId, status: "pending", first: 50) @include(if: $escalations) {
      nodes { id subject decisionType fromTenantId createdAt }
    }
    reviewRuns(tenantId: $tenantId, first: 10) @include(if: $reviews) {
      nodes { id status statusLabel checksDone checksTotal requestedAt }
    }
  }
`);

export function Home() {
  const { t, i18n } = useTranslation();
  const { tenant, me, access } = useWorkspace();
  const extensions = useExtensions(tenant.id);
  const roles = new Set(me.memberships.filter((m) => m.tenantId === tenant.id).map((m) => m.role));
  const query = useGql(HomeDocument, {
    tenantId: tenant.id, directives: access.can("ipgov:directive", "read"),
    escalations: access.can("ipgov:escalation", "decide"), reviews: access.can("ipgov:review", "read"),
  });
  const now = Date.now();
  const mine = (query.data?.directives?.nodes ?? []).filter((d) => d.ownerUserId === me.id
    || (!d.ownerUserId && roles.has(d.ownerRole)));
  const running = (query.data?.reviewRuns?.nodes ?? []).filter((r) => r.status === "queued" || r.status === "running");
  const base = `/t/${tenant.slug}`;
  return (
    <>
      <PageTitle>{t("home.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t("home.directives")} size="small" loading={query.isPending}>
            {mine.length ? <List size="small" dataSource={mine} renderItem={(d) => {
              const overdue = new Date(d.dueAt).getTime() < now;
              return <List.Item><Link to={`${base}/directives`}>{d.action}</Link>{" "}
                <Tag color={overdue ? "red" : undefined}>{t(overdue ? "home.overdue" : "home.due",
                  { date: formatDate(d.dueAt, i18n.language) })}</Tag></List.Item>;
            }} /> : <Empty description={t("home.noDirectives")} image={Empty.PRESENTED_IMAGE_SIMPLE} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t("home.escalations")} size="small" loading={query.isPending}>
            {query.data?.escalations?.nodes.length ? <List size="small" dataSource={[...query.data.escalations.nodes]}
              renderItem={(e) => <List.Item><Link to={`${base}/governance`}>{e.subject}</Link>
                <Typography.Text type="secondary">{e.decisionType}</Typography.Text></List.Item>} />
              : <Empty description={t("home.noEscalations")} image={Empty.PRESENTED_IMAGE_SIMPLE} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t("home.reviews")} size="small" loading={query.isPending}>
            {running.length ? <List size="small" dataSource={running} renderItem={(r) => (
              <List.Item><Link to={`${base}/reviews/${r.id}`}>{r.statusLabel}</Link>{" "}
                {t("reviews.progress", { done: r.checksDone, total: r.checksTotal })}</List.Item>)} />
              : <Empty description={t("home.noReviews")} image={Empty.PRESENTED_IMAGE_SIMPLE} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}><HomeWidgets extensions={extensions.data ?? []} /></Col>
      </Row>
    </>
  );
}
