/** Typed access to the workspace SDK: documents from web/src/gql carry their result and
 * variable types, so a screen's data is checked against schema.graphql at build time. */
import { useGraphQL, useGraphQLMutation, useExtension, Tag } from "@ipgov/workspace-sdk";
import type { ReactNode } from "react";
import type { TypedDocumentString } from "../../../../web/src/gql/graphql";

export const DOC = "patent_search:document";
export const COLL = "patent_search:collection";
export const WATCH = "patent_search:watchlist";
export const PROC = "patent_search:procurement";
/** The largest page every list asks for (the API allows at most 100). */
export const PAGE = 20;

type Variables = Record<string, unknown>;

export function useQ<R, V>(document: TypedDocumentString<R, V>, variables: V,
  options?: { enabled?: boolean }) {
  return useGraphQL<R>(document, variables as Variables, options);
}

export function useM<R, V>(document: TypedDocumentString<R, V>) {
  return useGraphQLMutation<R, V & Variables>(document);
}

/** The tenant the workspace shows. */
export function useTenant(): string {
  return useExtension().tenant.id;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'", "#x2F": "/" };

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27|#x2F);/g, (_, name: string) => ENTITIES[name] ?? "");
}

/** A snippet the server sends HTML-escaped with <mark> highlights, as React nodes (no HTML is
 * ever inserted: the marks become <mark> elements, everything else plain text). */
export function Highlighted(props: { html: string }): ReactNode {
  const parts = props.html.split(/<mark>([\s\S]*?)<\/mark>/);
  return <>{parts.map((part, i) => i % 2 ? <mark key={i}>{unescape(part)}</mark> : <span key={i}>{unescape(part)}</span>)}</>;
}

/** Plain text with the given words marked (case-insensitive; Latin words whole, Chinese
 * terms wherever they occur). */
export function MarkTerms(props: { text: string; terms: readonly string[] }): ReactNode {
  const quote = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const cjk = (t: string) => /[\u3400-\u9fff]/.test(t);
  const terms = [...props.terms].filter((t) => t.length > 1).sort((a, b) => b.length - a.length);
  const alternatives = terms.map((t) => cjk(t) ? quote(t) : `(?<![\\p{L}\\p{N}])${quote(t)}(?![\\p{L}\\p{N}])`);
  if (!alternatives.length) return <>{props.text}</>;
  const pattern = new RegExp(`(${alternatives.join("|")})`, "giu");
  const parts = props.text.split(pattern);
  return <>{parts.map((part, i) => i % 2 ? <mark key={i}>{part}</mark> : <span key={i}>{part}</span>)}</>;
}

/** Tags at WCAG AA contrast: the workspace's own. */
export { Tag };
