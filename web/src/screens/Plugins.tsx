/** Plugins in this tenant: which are in effect and why (own choice, imposed by the group, for
 * the subtree), enabled or disabled here or for every subsidiary, with what changed where. */
import { App, Checkbox, List, Space, Table, Typography } from "antd";
import { Tag } from "../app/Tag";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql, useGqlMutation } from "../app/data";
import { GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";
import type { TogglePluginMutation } from "../gql/graphql";

const PluginsDocument = graphql(`
  query TenantPlugins($tenantId: ID!) {
    tenantPlugins(tenantId: $tenantId) { name version description enabled ownChoice imposed appliesToSubsidiaries provisioned }
  }
`);

const EnableDocument = graphql(`
  mutation TogglePlugin($tenantId: ID!, $plugin: String!, $subtree: Boolean!, $enable: Boolean!) {
    enable: enablePlugin(tenantId: $tenantId, plugin: $plugin, applyToSubsidiaries: $subtree) @include(if: $enable) {
      changes { tenantSlug enabled disabled provisioned } errors { code message field }
    }
    disable: disablePlugin(tenantId: $tenantId, plugin: $plugin, applyToSubsidiaries: $subtree) @skip(if: $enable) {
      changes { tenantSlug enabled disabled provisioned } errors { code message field }
    }
  }
`);

export function Plugins() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const query = useGql(PluginsDocument, { tenantId: tenant.id });
  const toggle = useGqlMutation(EnableDocument);
  const [subtree, setSubtree] = useState(false);
  const [result, setResult] = useState<TogglePluginMutation | null>(null);
  const allowed = access.can("ipgov:plugin", "update");
  async function change(plugin: string, enable: boolean) {
    const answer = await toggle.mutateAsync({ tenantId: tenant.id, plugin, subtree, enable });
    setResult(answer);
    const payload = answer.enable ?? answer.disable;
    if (payload && !payload.errors.length) void message.success(t("plugins.changed"));
  }
  const payload = result?.enable ?? result?.disable;
  return (
    <>
      <PageTitle extra={<Checkbox checked={subtree} disabled={!allowed} onChange={(e) => setSubtree(e.target.checked)}>
        {t("plugins.subtree")}</Checkbox>}>{t("plugins.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error ?? toggle.error} errors={payloadErrors(payload)} />
      {payload?.changes.length ? <List size="small" bordered style={{ marginBottom: 16 }} header={t("plugins.changes")}
        dataSource={[...payload.changes]} renderItem={(c) => <List.Item><Space wrap>
          <Typography.Text strong>{c.tenantSlug}</Typography.Text>
          {c.enabled.map((p) => <Tag key={`e${p}`} color="green">+ {p}</Tag>)}
          {c.disabled.map((p) => <Tag key={`d${p}`} color="red">− {p}</Tag>)}
        </Space></List.Item>} /> : null}
      <Table rowKey="name" size="small" loading={query.isPending} dataSource={[...(query.data?.tenantPlugins ?? [])]}
        pagination={false} scroll={{ x: true }} columns={[
          { title: t("plugins.name"), dataIndex: "name", render: (v: string, p) => <Space direction="vertical" size={0}>
            <Typography.Text strong>{v}</Typography.Text><Typography.Text type="secondary">{p.description} · {p.version}</Typography.Text></Space> },
          { title: t("common.status"), render: (_: unknown, p) => <Space wrap>
            <Tag color={p.enabled ? "green" : undefined}>{p.enabled ? t("plugins.inEffect") : t("plugins.off")}</Tag>
            {p.imposed ? <Tag color="purple">{t("plugins.imposed")}</Tag> : null}
            {p.ownChoice ? <Tag>{t("plugins.ownChoice")}</Tag> : null}
            {p.appliesToSubsidiaries ? <Tag color="blue">{t("plugins.forSubtree")}</Tag> : null}</Space> },
          { title: t("common.actions"), render: (_: unknown, p) => p.enabled
            ? <GatedButton size="small" allowed={allowed && !p.imposed} reason={p.imposed ? t("plugins.imposedHelp") : undefined}
              onClick={() => void change(p.name, false)}>{t("plugins.disable")}</GatedButton>
            : <GatedButton size="small" type="primary" allowed={allowed} onClick={() => void change(p.name, true)}>{t("plugins.enable")}</GatedButton> },
        ]} />
    </>
  );
}
