/** Typed access to the workspace SDK: documents from web/src/gql carry their result and
 * variable types, so a screen's data is checked against schema.graphql at build time. */
import { useGraphQL, useGraphQLMutation, useExtension } from "@ipgov/workspace-sdk";
import { Button, Space, Tag as AntTag, Typography, type TagProps } from "antd";
import { useState } from "react";
import type { TypedDocumentString } from "../../../../web/src/gql/graphql";
import { useT } from "./texts";

export const ASSET = "data_governance:asset";
export const TRADE_SECRET = "data_governance:trade_secret";
export const LIFECYCLE = "data_governance:lifecycle";
export const SOLUTION = "data_governance:solution";
export const PUBLICATION = "data_governance:publication_check";
/** The page size of every list (the API allows at most 100). */
export const PAGE = 20;
export const LEVELS = ["public", "internal", "confidential", "secret"] as const;
export const STAGES = ["create", "store", "use", "share", "archive", "destroy"] as const;
export const STEPS = ["nda", "access_restriction", "marking", "training"] as const;
export const LEVEL_COLOR: Record<string, string> = { public: "green", internal: "blue", confidential: "orange", secret: "red" };

type Variables = Record<string, unknown>;

export function useQ<R, V>(document: TypedDocumentString<R, V>, variables: V, options?: { enabled?: boolean }) {
  return useGraphQL<R>(document, variables as Variables, options);
}

export function useM<R, V>(document: TypedDocumentString<R, V>) {
  return useGraphQLMutation<R, V & Variables>(document);
}

export function useTenant(): string {
  return useExtension().tenant.id;
}

export function Level(props: { level: string }) {
  const t = useT();
  return <Tag color={LEVEL_COLOR[props.level]}>{t(`level_${props.level}` as "level_public")}</Tag>;
}

/** A cursor stack: previous / next over a connection. */
export function useCursor() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1], page: cursors.length, reset: () => setCursors([null]),
    back: () => setCursors(cursors.slice(0, -1)), forward: (c: string) => setCursors([...cursors, c]),
  };
}

export function Pager(props: { cursor: ReturnType<typeof useCursor>; info?: { hasNextPage: boolean; endCursor?: string | null } }) {
  const t = useT();
  const { cursor, info } = props;
  if (cursor.page < 2 && !info?.hasNextPage) return null;
  return (
    <Space style={{ marginTop: 8 }}>
      <Button size="small" disabled={cursor.page < 2} onClick={cursor.back}>{t("previous")}</Button>
      <Typography.Text>{t("page", { page: cursor.page })}</Typography.Text>
      <Button size="small" disabled={!info?.hasNextPage} onClick={() => info?.endCursor && cursor.forward(info.endCursor)}>{t("next")}</Button>
    </Space>
  );
}

export const split = (v?: string) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

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
