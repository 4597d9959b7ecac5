/** The header's search: jump to any screen of the menu or to any tenant of the tree, by typing
 * part of its name (plugin screens included: they are menu entries). */
import { AutoComplete } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import type { NavItem } from "./navigation";
import type { TenantNode } from "./workspace";

export interface JumpTarget { value: string; label: string; kind: "screen" | "tenant" }

/** What matches `text`: screens first, then tenants, at most `limit`. */
export function jumpTargets(text: string, items: NavItem[], tenants: TenantNode[], base: string, limit = 12): JumpTarget[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  const screens = items.filter((i) => i.label.toLowerCase().includes(needle))
    .map((i) => ({ value: `${base}${i.path === "/" ? "/" : i.path}`, label: i.label, kind: "screen" as const }));
  const found = tenants.filter((t) => t.name.toLowerCase().includes(needle) || t.slug.includes(needle))
    .map((t) => ({ value: `/t/${t.slug}/`, label: t.name, kind: "tenant" as const }));
  return [...screens, ...found].slice(0, limit);
}

export function Jump(props: { items: NavItem[]; tenants: TenantNode[]; base: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const targets = useMemo(() => jumpTargets(text, props.items, props.tenants, props.base),
    [text, props.items, props.tenants, props.base]);
  return (
    <AutoComplete value={text} onChange={setText} style={{ width: 240, maxWidth: "100%" }}
      options={targets.map((x) => ({ value: x.value, label: `${x.label} · ${t(`shell.jump.${x.kind}`)}` }))}
      onSelect={(value: string) => { setText(""); navigate(value); }}
      aria-label={t("shell.search")} placeholder={t("shell.search")} allowClear />
  );
}
