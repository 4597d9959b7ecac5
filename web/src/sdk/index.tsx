/**
 * @ipgov/workspace-sdk: what first-party plugin screens import (scripts/build-extensions.mjs maps
 * it, React and Ant Design to the shell's own copies at run time, so a plugin bundle holds only
 * its screens). A plain ES module needs none of it: `mount(element, context)` is the contract.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, type ComponentType } from "react";
import type { ExtensionContext, ExtensionTarget } from "../app/extensions";
import { Chart, type ChartOptions } from "../app/Chart";
import { Problems, PageTitle, GatedButton, Pager, formatDate, useCursor } from "../app/ui";

export const SDK_VERSION = 1;
export { Problems, PageTitle, GatedButton, Pager, formatDate, useCursor, Chart };
export { Tag } from "../app/Tag";
export type { ExtensionContext, ExtensionTarget, ChartOptions };

const Context = createContext<{ context: ExtensionContext; target: ExtensionTarget } | null>(null);

/** The context the shell mounted this screen with. */
export function useExtension(): ExtensionContext {
  const mounted = useContext(Context);
  if (!mounted) throw new Error("useExtension outside a mounted extension");
  return mounted.context;
}

/** Which page (with the matched path) or widget the shell asked for. */
export function useTarget(): ExtensionTarget {
  const mounted = useContext(Context);
  if (!mounted) throw new Error("useTarget outside a mounted extension");
  return mounted.target;
}

/** Texts per language, English as the fallback: `const t = useText(CATALOG)`. */
export function useText<K extends string>(catalog: { en: Record<K, string>; "zh-CN"?: Partial<Record<K, string>> }) {
  const { language } = useExtension();
  const texts = (language === "zh-CN" ? catalog["zh-CN"] : undefined) ?? {};
  return (key: K, values?: Record<string, string | number>) => {
    let text = (texts as Partial<Record<K, string>>)[key] ?? catalog.en[key] ?? key;
    for (const [name, value] of Object.entries(values ?? {})) text = text.replaceAll(`{{${name}}}`, String(value));
    return text;
  };
}

class Refused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

async function run<R>(context: ExtensionContext, query: string, variables?: Record<string, unknown>): Promise<R> {
  const { data, errors } = await context.graphql(query, variables);
  const first = errors[0] as { message?: string; extensions?: { code?: string } } | undefined;
  if (first) throw new Refused(first.extensions?.code ?? "ERROR", first.message ?? "refused");
  return data as R;
}

/** A GraphQL query through the shell's client, cached with the shell's screens. */
export function useGraphQL<R>(query: { toString(): string } | string, variables: Record<string, unknown>,
  options?: { enabled?: boolean; refetchInterval?: number | false }) {
  const context = useExtension();
  const text = query.toString();
  return useQuery<R, Error>({ queryKey: [text, variables], queryFn: () => run<R>(context, text, variables), ...options });
}

/** A mutation; on success every shown query is asked again. */
export function useGraphQLMutation<R, V extends Record<string, unknown>>(query: { toString(): string } | string) {
  const context = useExtension();
  const client = useQueryClient();
  return useMutation<R, Error, V>({
    mutationFn: (variables: V) => run<R>(context, query.toString(), variables),
    onSuccess: () => client.invalidateQueries(),
  });
}

/** A connection read a page at a time ("load more"); every loaded page is asked again when a
 * mutation succeeds. `pick` finds the connection in the result. */
export function useGraphQLPages<R, N>(query: { toString(): string } | string, variables: Record<string, unknown>,
  pick: (data: R) => { nodes: N[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } },
  options?: { enabled?: boolean }) {
  const context = useExtension();
  const text = query.toString();
  const pages = useInfiniteQuery<R, Error>({
    queryKey: [text, variables, "pages"],
    queryFn: ({ pageParam }) => run<R>(context, text, { ...variables, after: pageParam ?? null }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => {
      const info = pick(last).pageInfo;
      return info.hasNextPage ? info.endCursor ?? undefined : undefined;
    },
    ...options,
  });
  const nodes = (pages.data?.pages ?? []).flatMap((page) => pick(page).nodes);
  return { ...pages, nodes };
}

type Screens = Record<string, ComponentType>;

/** The module's `mount`: a page by its navigation key, a widget by its key, rendered through
 * `context.render` inside the workspace's own providers (theme, language, data cache). */
export function defineExtension(screens: { pages?: Screens; widgets?: Screens }) {
  return function mount(_element: HTMLElement, context: ExtensionContext, target: ExtensionTarget): () => void {
    const table = target.kind === "widget" ? screens.widgets ?? {} : screens.pages ?? {};
    const Screen = table[target.key];
    context.render(
      <Context.Provider value={{ context, target }}>
        {Screen ? <Screen /> : <Problems errors={[{ code: "NOT_FOUND", message: target.key }]} />}
      </Context.Provider>,
    );
    return () => context.render(null);
  };
}
