/** Ant Design's Tag with colours at WCAG AA contrast: its preset text colours reach about 3.5:1
 * on their own backgrounds, so a coloured tag gets dark text on the preset's light background.
 * The shell's screens and the plugins' (through the SDK) use this one. */
import { Tag as AntTag, type TagProps } from "antd";

const TONES: Record<string, { color: string; background: string; borderColor: string }> = {
  green: { color: "#135200", background: "#f6ffed", borderColor: "#b7eb8f" },
  blue: { color: "#003eb3", background: "#e6f4ff", borderColor: "#91caff" },
  cyan: { color: "#00474f", background: "#e6fffb", borderColor: "#87e8de" },
  purple: { color: "#22075e", background: "#f9f0ff", borderColor: "#d3adf7" },
  gold: { color: "#613400", background: "#fffbe6", borderColor: "#ffe58f" },
  orange: { color: "#873800", background: "#fff7e6", borderColor: "#ffd591" },
  volcano: { color: "#871400", background: "#fff2e8", borderColor: "#ffbb96" },
  red: { color: "#a8071a", background: "#fff1f0", borderColor: "#ffa39e" },
  magenta: { color: "#780650", background: "#fff0f6", borderColor: "#ffadd2" },
  processing: { color: "#003eb3", background: "#e6f4ff", borderColor: "#91caff" },
};

export function Tag(props: TagProps) {
  const { color, style, ...rest } = props;
  const tone = typeof color === "string" ? TONES[color] : undefined;
  return <AntTag {...rest} style={tone ? { ...tone, ...style } : style} />;
}
