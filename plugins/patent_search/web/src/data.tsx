/** Typed access to the workspace SDK: documents from web/src/gql carry their result and
 * variable types, so a screen's data is checked against schema.graphql at build time. */
import { useGraphQL, useGraphQLMutation, useExtension } from "@ipgov/workspace-sdk";
import { Tag as AntTag, type TagProps } from "antd";
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

/** Tag colours at WCAG AA contrast (antd's preset text colours reach about 3.5:1 on their
 * backgrounds): dark text on the preset's light background. */
const TONES: Record<string, { color: string; background: string; borderColor: string }> = {
  green: { color: "#135200", background: "#f6ffed", borderColor: "#b7eb8f" },
  blue: { color: "#003eb3", background: "#e6f4ff", borderColor: "#91caff" },
  cyan: { color: "#00474f", background: "#e6fffb", borderColor: "#87e8de" },
  purple: { color: "#22075e", background: "#f9f0ff", borderColor: "#d3adf7" },
  gold: { color: "#613400", background: "#fffbe6", borderColor: "#ffe58f" },
  orange: { color: "#873800", background: "#fff7e6", borderColor: "#ffd591" },
  volcano: { color: "#871400", background: "#fff2e8", borderColor: "#ffbb96" },
  red: { color: "#a8071a", background: "#fff1f0", borderColor: "#ffa39e" },
};

export function Tag(props: TagProps) {
  const { color, style, ...rest } = props;
  const tone = color ? TONES[color] : undefined;
  return <AntTag {...rest} style={tone ? { ...tone, ...style } : style} />;
}
