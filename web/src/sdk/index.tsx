/**
 * @ipgov/workspace-sdk: what first-party plugin screens import (scripts/build-extensions.mjs maps
 * it, React and Ant Design to the shell's own copies at run time, so a plugin bundle holds only
 * its screens). A plain ES module needs none of it: `mount(element, context)` is the contract.
 */
import { QueryClientProvider, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, type ComponentType } from "react";
import { createRoot } from "react-dom/client";
import type { ExtensionContext } from "../app/extensions";
import { queryClient, ThemedProviders } from "../app/Root";
import { Problems, PageTitle, GatedButton, formatDate } from "../app/ui";

export const SDK_VERSION = 1;
export { Problems, PageTitle, GatedButton, formatDate };
export type { ExtensionContext };

const Context = createContext<ExtensionContext | null>(null);

/** The context the shell mounted this screen with. */
export function useExtension(): ExtensionContext {
  const context = useContext(Context);
  if (!context) throw new Error("useExtension outside a mounted extension");
  return context;
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

type Screens = Record<string, ComponentType>;

/** The module's `mount`: routes by the longest matching path prefix, widgets by key. */
export function defineExtension(screens: { routes?: Screens; widgets?: Screens }) {
  return function mount(element: HTMLElement, context: ExtensionContext): () => void {
    const table = context.kind === "widget" ? screens.widgets ?? {} : screens.routes ?? {};
    const key = context.kind === "widget" ? context.widget ?? "" : Object.keys(table)
      .filter((prefix) => context.path === prefix || context.path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`))
      .sort((a, b) => b.length - a.length)[0] ?? "";
    const Screen = table[key];
    const root = createRoot(element);
    root.render(
      <QueryClientProvider client={queryClient}>
        <ThemedProviders>
          <Context.Provider value={context}>
            {Screen ? <Screen /> : <Problems errors={[{ code: "NOT_FOUND", message: context.path }]} />}
          </Context.Provider>
        </ThemedProviders>
      </QueryClientProvider>,
    );
    return () => setTimeout(() => root.unmount(), 0);
  };
}
