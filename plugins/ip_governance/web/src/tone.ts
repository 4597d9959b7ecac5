/** Tag and text colours with at least 4.5:1 contrast (Ant Design's preset status colours are
 * lighter than WCAG AA allows for small text). */
import type { CSSProperties } from "react";

export type Tone = "bad" | "warn" | "good" | "plain";

const TONES: Record<Tone, CSSProperties> = {
  bad: { color: "#a8071a", background: "#fff1f0", borderColor: "#ffa39e" },
  warn: { color: "#873800", background: "#fff7e6", borderColor: "#ffd591" },
  good: { color: "#135200", background: "#f6ffed", borderColor: "#b7eb8f" },
  plain: {},
};

export function tone(which: Tone): CSSProperties {
  return TONES[which];
}

/** Text in the "bad" colour (e.g. an overdue date, a refused row). */
export const DANGER_TEXT: CSSProperties = { color: "#a8071a" };
