/** The patent_search workspace screens (docs/plugins.md, register_workspace_extensions):
 * one page per navigation entry the hook declares, and the home widget. */
import { defineExtension } from "@ipgov/workspace-sdk";
import { Collections, Procurement } from "./Collections";
import { Fto } from "./Fto";
import { Landscape } from "./Landscape";
import { Search } from "./Search";
import { MatchesWidget, Watchlists } from "./Watchlists";

export const mount = defineExtension({
  pages: { search: Search, fto: Fto, landscape: Landscape, watchlists: Watchlists, collections: Collections,
    procurement: Procurement },
  widgets: { watchlist_matches: MatchesWidget },
});
