/** The data_governance workspace screens (docs/plugins.md, register_workspace_extensions):
 * one page per navigation entry the hook declares. */
import { defineExtension } from "@ipgov/workspace-sdk";
import { Catalog } from "./Catalog";
import { Lifecycle } from "./Lifecycle";
import { Mapping } from "./Mapping";
import { Publication } from "./Publication";
import { Steps } from "./Steps";

export const mount = defineExtension({
  pages: { catalog: Catalog, trade_secrets: Steps, lifecycle: Lifecycle, mapping: Mapping, publication: Publication },
});
