/** The ip_governance plugin's workspace screens: one module, a page per navigation entry of
 * its `register_workspace_extensions` hook (plugins/ip_governance/hooks.py) and the home
 * widget, mounted by the shell through the UI extension contract like any partner's. */
import { defineExtension } from "@ipgov/workspace-sdk";
import { AssetRegister } from "./assets/AssetRegister";
import { Checklist } from "./certification/Checklist";
import { Deadlines, DeadlinesWidget } from "./deadlines/Deadlines";
import { Documents } from "./documents/Documents";
import { Incidents } from "./incidents/Incidents";
import { Licences } from "./licences/Licences";
import { Profile } from "./profile/Profile";
import { Risks } from "./risks/Risks";
import { Pdca } from "./strategy/Pdca";
import { Strategy } from "./strategy/Strategy";

export const mount = defineExtension({
  pages: { assets: AssetRegister, "deadline-list": Deadlines, risks: Risks, licences: Licences, incidents: Incidents,
    strategy: Strategy, "management-systems": Pdca, profile: Profile, certification: Checklist,
    documents: Documents },
  widgets: { deadlines: DeadlinesWidget },
});
