/** Reviews: request one, watch it run (its progress arrives live over the socket until it ends;
 * the screen polls only while that is not possible), read scores with their coverage and the
 * findings by function. A score the checks could not assess says so. */
import { useQueryClient } from "@tanstack/react-query";
import { App, Card, Descriptions, Progress, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { Tag } from "../app/Tag";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useParams } from "react-router-dom";
import { Chart } from "../app/Chart";
import { payloadErrors, useGql, useGqlMutation, useLive } from "../app/data";
import { formatDate, GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";
import type { ReviewProgressSubscription, ReviewRunQuery, ReviewRunsQuery } from "../gql/graphql";

const RunsDocument = graphql(`
  query ReviewRuns($tenantId: ID!) {
    reviewRuns(tenantId: $tenantId, first: 50) {
      nodes { id kind trigger status statusLabel requestedBy requestedByActor { name } requestedAt finishedAt checksDone checksTotal
        childrenDone childrenTotal overallScore { score assessment assessmentLabel coverage } }
    }
  }
`);

const RunDocument = graphql(`
  query ReviewRun($tenantId: ID!, $id: ID!) {
    reviewRun(tenantId: $tenantId, id: $id) {
      id kind status statusLabel requestedBy requestedByActor { name } requestedAt startedAt finishedAt error
      checksDone checksTotal childrenDone childrenTotal
      overallScore { key label score assessment assessmentLabel coverage summary }
      functionScores { key label score assessment assessmentLabel coverage assessedChecks applicableChecks summary }
    }
    findings(tenantId: $tenantId, runId: $id, first: 100) {
      nodes { id title severity severityLabel function functionLabel recommendation checkId }
    }
  }
`);

const RequestDocument = graphql(`
  mutation RequestReview($tenantId: ID!, $key: String) {
    requestReview(tenantId: $tenantId, idempotencyKey: $key) { run { id } errors { code message field } }
  }
`);

const RequestGroupDocument = graphql(`
  mutation RequestGroupReview($tenantId: ID!, $key: String) {
    requestGroupReview(tenantId: $tenantId, idempotencyKey: $key) { run { id } errors { code message field } }
  }
`);

const ProgressDocument = graphql(`
  subscription ReviewProgress($tenantId: ID!, $id: ID!) {
    reviewProgress(tenantId: $tenantId, id: $id) {
      id status statusLabel checksDone checksTotal childrenDone childrenTotal startedAt finishedAt
    }
  }
`);

const ACTIVE = new Set(["queued", "running", "pending"]);
const FOLLOWED_AT_MOST = 10; // active runs of a list followed live (the rest are polled)
type RunProgress = ReviewProgressSubscription["reviewProgress"];

/** Follows one active run: its progress is written into the screen's cached answer; a new
 * status asks the screen's query again (scores and findings come with the end). */
function FollowRun({ tenantId, runId, status, patch, refresh, onLive }: {
  tenantId: string; runId: string; status: string; patch: (p: RunProgress) => void;
  refresh: () => void; onLive: (runId: string, live: boolean) => void;
}) {
  const live = useLive(ProgressDocument, { tenantId, id: runId }, true, (data) => {
    if (data.reviewProgress.status !== status) refresh();
    else patch(data.reviewProgress);
  });
  useEffect(() => onLive(runId, live), [runId, live, onLive]);
  return null;
}

/** Which runs are followed live now (a ref, read by the polling interval, and a setter). */
function useLiveRuns() {
  const live = useRef(new Set<string>());
  const [, rerender] = useState(0);
  const onLive = useCallback((runId: string, on: boolean) => {
    if (live.current.has(runId) === on) return;
    if (on) live.current.add(runId); else live.current.delete(runId);
    rerender((n) => n + 1);
  }, []);
  return { live, onLive };
}
const SEVERITY_COLOR: Record<string, string> = { critical: "magenta", high: "red", medium: "orange", low: "blue" };

function RunList() {
  const { t, i18n } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const client = useQueryClient();
  const { live, onLive } = useLiveRuns();
  const variables = { tenantId: tenant.id };
  const key = [RunsDocument.toString(), variables];
  const runs = useGql(RunsDocument, variables, {
    refetchInterval: (q) => q.state.data?.reviewRuns.nodes.some((r) => ACTIVE.has(r.status)
      && !live.current.has(r.id)) ? 1500 : false });
  const followed = (runs.data?.reviewRuns.nodes ?? []).filter((r) => ACTIVE.has(r.status)).slice(0, FOLLOWED_AT_MOST);
  const patch = (p: RunProgress) => client.setQueryData<ReviewRunsQuery>(key, (old) => old && {
    ...old, reviewRuns: { ...old.reviewRuns, nodes: old.reviewRuns.nodes.map((n) => n.id === p.id ? { ...n, ...p } : n) } });
  const refresh = () => void client.invalidateQueries({ queryKey: key });
  const request = useGqlMutation(RequestDocument);
  const requestGroup = useGqlMutation(RequestGroupDocument);
  const allowed = access.can("ipgov:review", "request");
  async function ask(group: boolean) {
    const key = crypto.randomUUID();
    const result = group ? (await requestGroup.mutateAsync({ tenantId: tenant.id, key })).requestGroupReview
      : (await request.mutateAsync({ tenantId: tenant.id, key })).requestReview;
    if (!payloadErrors(result).length) void message.success(t("reviews.requested"));
  }
  const errors = [...payloadErrors(request.data?.requestReview), ...payloadErrors(requestGroup.data?.requestGroupReview)];
  return (
    <>
      <PageTitle extra={<Space wrap>
        <GatedButton type="primary" allowed={allowed} loading={request.isPending} onClick={() => void ask(false)}>
          {t("reviews.request")}</GatedButton>
        {tenant.kind === "group" ? <GatedButton allowed={allowed} loading={requestGroup.isPending}
          onClick={() => void ask(true)}>{t("reviews.requestGroup")}</GatedButton> : null}
      </Space>}>{t("reviews.title")}</PageTitle>
      <Problems errors={errors} error={runs.error ?? request.error ?? requestGroup.error} />
      {followed.map((r) => <FollowRun key={r.id} tenantId={tenant.id} runId={r.id} status={r.status}
        patch={patch} refresh={refresh} onLive={onLive} />)}
      <Table rowKey="id" loading={runs.isPending} dataSource={[...(runs.data?.reviewRuns.nodes ?? [])]}
        locale={{ emptyText: t("reviews.noRuns") }} pagination={{ pageSize: 20 }} scroll={{ x: true }}
        columns={[
          { title: t("reviews.run"), dataIndex: "requestedAt", render: (v: string, r) =>
            <Link to={r.id}>{formatDate(v, i18n.language)}</Link> },
          { title: t("reviews.kind"), dataIndex: "kind" },
          { title: t("common.status"), dataIndex: "statusLabel", render: (v: string, r) => ACTIVE.has(r.status)
            ? <Space><Tag color="processing">{v}</Tag><Progress style={{ width: 120 }} size="small" aria-label={t("reviews.progress", { done: r.checksDone, total: r.checksTotal })}
              percent={r.checksTotal ? Math.round((100 * r.checksDone) / r.checksTotal) : 0} /></Space> : <Tag>{v}</Tag> },
          { title: t("reviews.overall"), render: (_: unknown, r) => r.overallScore.score == null
            ? <Typography.Text type="secondary">{r.overallScore.assessmentLabel}</Typography.Text>
            : `${r.overallScore.score.toFixed(0)} · ${t("reviews.coverage", { value: Math.round(100 * (r.overallScore.coverage ?? 0)) })}` },
          { title: t("reviews.requestedBy"), render: (_: unknown, r) => r.requestedByActor?.name ?? r.requestedBy },
        ]} />
    </>
  );
}

type Run = ReviewRunQuery["reviewRun"];

function scoreChart(run: Run, t: TFunction) {
  const rows = run.functionScores;
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 140, right: 24, top: 8, bottom: 24 },
    xAxis: { type: "value", min: 0, max: 100 },
    yAxis: { type: "category", data: rows.map((r) => r.label), inverse: true },
    series: [{ type: "bar", data: rows.map((r) => r.score == null ? { value: 0, label: { show: true,
      formatter: t("reviews.notAssessed") } } : { value: Math.round(r.score), label: { show: true,
      formatter: `${Math.round(r.score)} (${Math.round(100 * (r.coverage ?? 0))}%)` } }), itemStyle: { color: "#1f5fa8" } }],
  };
}

function RunDetail() {
  const { t, i18n } = useTranslation();
  const { tenant } = useWorkspace();
  const { runId } = useParams();
  const client = useQueryClient();
  const { live, onLive } = useLiveRuns();
  const variables = { tenantId: tenant.id, id: runId! };
  const key = [RunDocument.toString(), variables];
  const query = useGql(RunDocument, variables, {
    refetchInterval: (q) => q.state.data && ACTIVE.has(q.state.data.reviewRun.status)
      && !live.current.has(q.state.data.reviewRun.id) ? 1000 : false });
  const run = query.data?.reviewRun;
  const patch = (p: RunProgress) => client.setQueryData<ReviewRunQuery>(key, (old) => old && {
    ...old, reviewRun: { ...old.reviewRun, ...p } });
  const refresh = () => void client.invalidateQueries({ queryKey: key });
  return (
    <>
      <PageTitle>{t("reviews.title")}</PageTitle>
      <Problems error={query.error} />
      {run && ACTIVE.has(run.status) ? <FollowRun tenantId={tenant.id} runId={run.id} status={run.status}
        patch={patch} refresh={refresh} onLive={onLive} /> : null}
      {run ? <Space direction="vertical" size="large" style={{ width: "100%" }}>
        <Card size="small">
          <Descriptions size="small" column={{ xs: 1, md: 3 }} items={[
            { key: "s", label: t("common.status"), children: <Tag data-testid="run-status" data-status={run.status}>{run.statusLabel}</Tag> },
            { key: "r", label: t("reviews.requestedBy"), children: run.requestedByActor?.name ?? run.requestedBy },
            { key: "f", label: t("reviews.finished"), children: formatDate(run.finishedAt, i18n.language) },
          ]} />
          <Progress aria-label={t("reviews.progress", { done: run.checksDone, total: run.checksTotal })} percent={run.checksTotal ? Math.round((100 * run.checksDone) / run.checksTotal) : 0}
            status={ACTIVE.has(run.status) ? "active" : run.status === "failed" ? "exception" : "normal"}
            format={() => t("reviews.progress", { done: run.checksDone, total: run.checksTotal })} />
          {run.childrenTotal ? <Typography.Text>{t("reviews.children", { done: run.childrenDone, total: run.childrenTotal })}</Typography.Text> : null}
          {run.error ? <Problems errors={[{ code: "REVIEW_FAILED", message: run.error }]} /> : null}
        </Card>
        <Card size="small" title={`${t("reviews.overall")}: ${run.overallScore.score == null ? run.overallScore.assessmentLabel
          : Math.round(run.overallScore.score)}`}>
          <Typography.Paragraph type="secondary">{run.overallScore.summary}</Typography.Paragraph>
          <Chart label={t("reviews.scores")} options={scoreChart(run, t)} height={40 + 36 * run.functionScores.length} />
        </Card>
        <Card size="small" title={t("reviews.findings")}>
          <Table rowKey="id" size="small" dataSource={[...(query.data?.findings.nodes ?? [])]} scroll={{ x: true }}
            pagination={{ pageSize: 25 }} columns={[
              { title: t("reviews.severity"), dataIndex: "severityLabel", render: (v: string, f) =>
                <Tag color={SEVERITY_COLOR[f.severity]}>{v}</Tag>,
                sorter: (a, b) => a.severity.localeCompare(b.severity) },
              { title: t("directives.function"), dataIndex: "functionLabel",
                filters: [...new Set((query.data?.findings.nodes ?? []).map((f) => f.functionLabel))].map((v) => ({ text: v, value: v })),
                onFilter: (v, f) => f.functionLabel === v },
              { title: t("reviews.check"), dataIndex: "title" },
              { title: t("reviews.detail"), dataIndex: "recommendation" },
            ]} />
        </Card>
      </Space> : null}
    </>
  );
}

export function Reviews() {
  return <Routes><Route index element={<RunList />} /><Route path=":runId" element={<RunDetail />} /></Routes>;
}
