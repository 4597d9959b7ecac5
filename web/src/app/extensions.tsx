/**
 * The UI extension contract, shell side: plugins in effect in the tenant declare navigation
 * entries, routes and widgets (GraphQL `workspaceExtensions`) and ship an ES module that
 * exports `mount(element, context)`. The shell loads it at run time and mounts it with the
 * versioned context below; it knows no plugin by name. See docs/plugins.md, "Workspace screens".
 */
import { useQuery } from "@tanstack/react-query";
import { Alert, Spin } from "antd";
import * as antd from "antd";
import * as React from "react";
import { useEffect, useRef, useState } from "react";
import * as ReactDOM from "react-dom";
import { createPortal } from "react-dom";
import * as ReactDOMClient from "react-dom/client";
import * as jsxRuntime from "react/jsx-runtime";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router-dom";
import { execute, executeRaw } from "./client";
import * as sdk from "../sdk";
import { useWorkspace, type Access, type Me, type TenantNode } from "./workspace";
import { graphql } from "../gql";
import type { WorkspaceExtensionsQuery } from "../gql/graphql";

export const CONTEXT_VERSION = 1;

export type Extension = WorkspaceExtensionsQuery["workspaceExtensions"][number];
export type ExtensionTarget =
  | { kind: "page"; key: string; path: string }
  | { kind: "widget"; key: string; slot: string };

/** Context v1, given to `mount` (docs/plugins.md, "Context version 1"). */
export interface ExtensionContext {
  version: 1;
  tenant: { id: string; slug: string; name: string; governanceMode: string };
  user: { id: string; displayName: string };
  language: string;
  permissions: { resource: string; action: string }[];
  can(resource: string, action: string): boolean;
  graphql(query: string, variables?: Record<string, unknown>): Promise<{ data: unknown; errors: unknown[] }>;
  navigate(path: string): void;
  render(node: React.ReactNode | null): void;
  libs: { React: typeof React; ReactDOMClient: typeof ReactDOMClient; antd: typeof antd };
}

type Unmount = () => void;
interface ExtensionModule { mount(element: HTMLElement, context: ExtensionContext, target: ExtensionTarget): Unmount | void }

/** Libraries plugin modules built with scripts/build-extensions.mjs import by name. */
export function exposeSharedLibraries(): void {
  (globalThis as Record<string, unknown>).__ipgovShared = {
    react: React, "react/jsx-runtime": jsxRuntime, "react-dom": ReactDOM,
    "react-dom/client": ReactDOMClient, antd, "@ipgov/workspace-sdk": sdk,
  };
}

const ExtensionsDocument = graphql(`
  query WorkspaceExtensions($tenantId: ID!) {
    workspaceExtensions(tenantId: $tenantId) {
      plugin moduleUrl contextVersion available unavailableReason
      navigation { key label path section icon allowed }
      widgets { key label slot allowed }
    }
  }
`);

export function useExtensions(tenantId: string) {
  const { i18n } = useTranslation();
  return useQuery({
    queryKey: ["extensions", tenantId, i18n.language],
    queryFn: async () => (await execute(ExtensionsDocument, { tenantId })).workspaceExtensions
      .filter((e) => e.contextVersion === CONTEXT_VERSION),
    staleTime: 60_000,
  });
}

export function extensionContext(args: { tenant: TenantNode; me: Me; access: Access; language: string;
  navigate: (path: string) => void; render: (node: React.ReactNode | null) => void }): ExtensionContext {
  const { tenant, me, access } = args;
  return {
    version: CONTEXT_VERSION,
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, governanceMode: tenant.governanceMode },
    user: { id: me.id, displayName: me.displayName }, language: args.language,
    permissions: access.permissions.map((p) => ({ resource: p.object, action: p.action })),
    can: access.can,
    graphql: (query, variables) => executeRaw(query, variables),
    navigate: (path) => args.navigate(`/t/${tenant.slug}${path.startsWith("/") ? path : `/${path}`}`),
    render: args.render,
    libs: { React, ReactDOMClient, antd },
  };
}

const loaded = new Map<string, Promise<ExtensionModule>>();

function load(url: string): Promise<ExtensionModule> {
  if (!loaded.has(url)) loaded.set(url, import(/* @vite-ignore */ url) as Promise<ExtensionModule>);
  return loaded.get(url)!;
}

/** Mounts one plugin module into a div; unmounts it when the route, tenant or language changes. */
export function ExtensionHost(props: { extension: Extension; target: ExtensionTarget }) {
  const { t, i18n } = useTranslation();
  const { tenant, me, access } = useWorkspace();
  const navigate = useNavigate();
  const element = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "mounted" | string>("loading");
  const [shown, setShown] = useState<React.ReactNode>(null);
  const { extension, target } = props;
  const targetKey = JSON.stringify(target);
  useEffect(() => {
    let unmount: Unmount | void;
    let cancelled = false;
    const render = (node: React.ReactNode | null) => { if (!cancelled) setShown(node ?? null); };
    setState("loading");
    if (!extension.available || !extension.moduleUrl) return;
    load(extension.moduleUrl).then((module) => {
      if (cancelled || !element.current) return;
      if (typeof module.mount !== "function") throw new Error("the module exports no mount()");
      unmount = module.mount(element.current, extensionContext({ tenant, me, access,
        language: i18n.language, navigate, render }), JSON.parse(targetKey) as ExtensionTarget);
      setState("mounted");
    }).catch((error: unknown) => !cancelled && setState(String((error as Error)?.message ?? error)));
    return () => {
      if (typeof unmount === "function") unmount();
      cancelled = true;
      setShown(null);
    };
  }, [extension.available, extension.moduleUrl, targetKey, tenant, me, access, i18n.language, navigate]);
  if (!extension.available) {
    return <Alert type="warning" showIcon title={t("shell.extensionUnavailable",
      { reason: extension.unavailableReason ?? "" })} />;
  }
  return (
    <div data-extension={extension.plugin}>
      {state === "loading" ? <Spin /> : null}
      {state !== "loading" && state !== "mounted"
        ? <Alert type="error" showIcon title={t("shell.extensionFailed", { reason: state })} /> : null}
      <div ref={element} />
      {shown && element.current ? createPortal(shown, element.current) : null}
    </div>
  );
}

/** `/t/:slug/x/<plugin>/...`: the plugin whose navigation or name owns the path. */
export function ExtensionRoute(props: { extensions: readonly Extension[] }) {
  const { t } = useTranslation();
  const location = useLocation();
  const path = "/x/" + location.pathname.split("/x/").slice(1).join("/x/");
  const plugin = path.split("/")[2];
  const extension = props.extensions.find((e) => e.plugin === plugin);
  const entry = extension?.navigation.filter((n) => path === n.path || path.startsWith(`${n.path.replace(/\/$/, "")}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!extension || !entry) return <Alert type="info" showIcon title={t("shell.notFound")} />;
  if (!entry.allowed) return <Alert type="warning" showIcon title={t("common.notAllowed")} />;
  return <ExtensionHost extension={extension} target={{ kind: "page", key: entry.key, path }} />;
}

export function HomeWidgets(props: { extensions: readonly Extension[] }) {
  return <>{props.extensions.filter((e) => e.available).flatMap((e) => e.widgets
    .filter((w) => w.slot === "home" && w.allowed)
    .map((w) => <antd.Card key={`${e.plugin}:${w.key}`} title={w.label} size="small">
      <ExtensionHost extension={e} target={{ kind: "widget", key: w.key, slot: w.slot }} />
    </antd.Card>))}</>;
}
