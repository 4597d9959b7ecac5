/** The navigation: the core's screens the role may open, then what plugins declare. */
import type { Extension } from "./extensions";
import type { Access } from "./workspace";

export interface NavItem { key: string; label: string; path: string; section: string }

const CORE: { key: string; path: string; section: string; requires?: [string, string] }[] = [
  { key: "home", path: "/", section: "work" },
  { key: "reviews", path: "/reviews", section: "work", requires: ["ipgov:review", "read"] },
  { key: "directives", path: "/directives", section: "work", requires: ["ipgov:directive", "read"] },
  { key: "jobs", path: "/jobs", section: "work", requires: ["ipgov:job", "read"] },
  { key: "myNotifications", path: "/me", section: "work" },
  { key: "governance", path: "/governance", section: "govern", requires: ["ipgov:tenant", "read"] },
  { key: "members", path: "/members", section: "govern", requires: ["ipgov:member", "read"] },
  { key: "plugins", path: "/plugins", section: "govern", requires: ["ipgov:plugin", "read"] },
  { key: "notifications", path: "/notifications", section: "govern", requires: ["ipgov:notification", "read"] },
  { key: "sso", path: "/sso", section: "govern", requires: ["ipgov:identity_provider", "read"] },
  { key: "supervision", path: "/supervision", section: "oversee", requires: ["ipgov:supervision", "read"] },
  { key: "audit", path: "/audit", section: "oversee", requires: ["ipgov:audit", "read"] },
];

const SECTIONS = ["work", "govern", "oversee", "plugins"];

export function navigation(t: (key: string) => string, access: Access, extensions: readonly Extension[]): NavItem[] {
  const core = CORE.filter((c) => !c.requires || access.can(...c.requires))
    .map((c) => ({ key: c.key, label: t(`shell.nav.${c.key}`), path: c.path, section: c.section }));
  const plugged = extensions.filter((e) => e.available).flatMap((e) => e.navigation
    .filter((n) => n.allowed)
    .map((n) => ({ key: `${e.plugin}:${n.key}`, label: n.label, path: n.path,
      section: SECTIONS.includes(n.section) ? n.section : "plugins" })));
  const all = [...core, ...plugged];
  return SECTIONS.flatMap((s) => all.filter((i) => i.section === s));
}
