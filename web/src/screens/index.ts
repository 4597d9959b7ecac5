/** The core's screens by path inside a tenant (`/t/:slug<path>`); plugins add theirs under /x/. */
import type { ComponentType } from "react";
import { Audit } from "./Audit";
import { Directives } from "./Directives";
import { Governance } from "./Governance";
import { Home } from "./Home";
import { Members } from "./Members";
import { Reviews } from "./Reviews";
import { Supervision } from "./Supervision";

export const screens: { path: string; component: ComponentType }[] = [
  { path: "/", component: Home },
  { path: "/reviews", component: Reviews },
  { path: "/directives", component: Directives },
  { path: "/governance", component: Governance },
  { path: "/members", component: Members },
  { path: "/supervision", component: Supervision },
  { path: "/audit", component: Audit },
];
