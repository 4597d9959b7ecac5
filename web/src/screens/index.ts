/** The core's screens by path inside a tenant (`/t/:slug<path>`); plugins add theirs under /x/.
 * All but the home page load on first use (charts and tables stay out of the first paint). */
import { lazy, type ComponentType } from "react";
import { Home } from "./Home";

const named = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));

export const screens: { path: string; component: ComponentType }[] = [
  { path: "/", component: Home },
  { path: "/reviews", component: named(() => import("./Reviews"), "Reviews") },
  { path: "/directives", component: named(() => import("./Directives"), "Directives") },
  { path: "/governance", component: named(() => import("./Governance"), "Governance") },
  { path: "/members", component: named(() => import("./Members"), "Members") },
  { path: "/supervision", component: named(() => import("./Supervision"), "Supervision") },
  { path: "/audit", component: named(() => import("./Audit"), "Audit") },
  { path: "/plugins", component: named(() => import("./Plugins"), "Plugins") },
  { path: "/jobs", component: named(() => import("./Jobs"), "Jobs") },
  { path: "/me", component: named(() => import("./MyNotifications"), "MyNotifications") },
  { path: "/notifications", component: named(() => import("./Notifications"), "Notifications") },
  { path: "/sso", component: named(() => import("./IdentityProviders"), "IdentityProviders") },
];
