import { describe, expect, it } from "vitest";
import en from "../locales/en";
import zh from "../locales/zh-CN";
import { navigation } from "../app/navigation";
import { homeTenant } from "../app/Shell";
import { jumpTargets } from "../app/Jump";
import { accessOf, tenantForest, type TenantNode } from "../app/workspace";
import { heatmapCells } from "../screens/Supervision";

const tenant = (id: string, parentId: string | null, name = id): TenantNode => ({
  id, slug: id, name, kind: parentId ? "subsidiary" : "group", parentId, rootId: "g", depth: parentId ? 1 : 0,
  governanceMode: "HYBRID", status: "active", enabledPlugins: [],
});

function leaves(value: unknown, prefix = ""): Record<string, string> {
  if (typeof value === "string") return { [prefix]: value };
  return Object.fromEntries(Object.entries(value as object).flatMap(([k, v]) =>
    Object.entries(leaves(v, prefix ? `${prefix}.${k}` : k))));
}

describe("tenant tree", () => {
  it("nests subsidiaries under their parent and makes a tenant with an invisible parent a root", () => {
    const forest = tenantForest([tenant("b", "g", "Beta"), tenant("g", null), tenant("a", "g", "Alpha"), tenant("x", "hidden")]);
    expect(forest.map((n) => n.tenant.id)).toEqual(["g", "x"]);
    expect(forest[0].children.map((n) => n.tenant.name)).toEqual(["Alpha", "Beta"]);
  });

  it("lands on the person's own membership before an inherited one", () => {
    const me = { memberships: [{ tenantSlug: "b", inherited: true }, { tenantSlug: "a", inherited: false }] };
    expect(homeTenant(me, [tenant("b", "g"), tenant("a", "g")])).toBe("a");
    expect(homeTenant({ memberships: [] }, [tenant("g", null)])).toBe("g");
    expect(homeTenant({ memberships: [] }, [])).toBeUndefined();
  });
});

describe("navigation", () => {
  const t = (key: string) => key;
  it("shows only the screens the role may open, and only allowed plugin entries", () => {
    const access = accessOf([{ object: "ipgov:review", action: "read" }]);
    const items = navigation(t, access, [{
      plugin: "p", moduleUrl: "/m.js", contextVersion: 1, available: true, unavailableReason: null, widgets: [],
      navigation: [{ key: "a", label: "A", path: "/x/p/a", section: "work", allowed: true, icon: null },
        { key: "b", label: "B", path: "/x/p/b", section: "plugins", allowed: false, icon: null }],
    }]);
    expect(items.map((i) => i.key)).toEqual(["home", "reviews", "myNotifications", "p:a"]);
  });

  it("leaves out the entries of an unavailable plugin screen", () => {
    const items = navigation(t, accessOf([]), [{ plugin: "p", moduleUrl: "", contextVersion: 1, available: false,
      unavailableReason: "not built", widgets: [], navigation: [{ key: "a", label: "A", path: "/x/p/a", section: "work", allowed: true, icon: null }] }]);
    expect(items.map((i) => i.key)).toEqual(["home", "myNotifications"]);
  });
});

describe("supervision heatmap", () => {
  it("keeps a cell no check could assess empty instead of scoring it", () => {
    const score = (key: string, value: number | null) => ({ key, label: key, score: value, coverage: value == null ? 0 : 0.5,
      assessment: value == null ? "not_assessed" : "partial", assessmentLabel: value == null ? "not assessed" : "partial" });
    const row = { tenant: { id: "t", slug: "t", name: "T", depth: 0, governanceModeLabel: "", statusLabel: "" },
      latestFinishedAt: null, overdueDirectives: 0, risksAboveTolerance: 0, escalationsAwaiting: 0,
      auditTrail: { ok: true, events: 1, problem: "" }, openFindings: [], trend: [],
      overallScore: { score: 40.4, coverage: 0.5, assessment: "partial", assessmentLabel: "partial" },
      functionScores: [score("GV", 80.6), score("ID", null)] };
    const { functions, cells } = heatmapCells([row]);
    expect(functions.map((f) => f.key)).toEqual(["GV", "ID"]);
    expect(cells.map((c) => c.value)).toEqual([[0, 0, 81], [1, 0, null], [2, 0, 40]]);
  });
});

describe("catalogs", () => {
  it("has every English text in Chinese too, translated", () => {
    const english = leaves(en);
    const chinese = leaves(zh);
    expect(Object.keys(chinese).sort()).toEqual(Object.keys(english).sort());
    const untranslated = Object.keys(english).filter((k) => english[k] === chinese[k] && /[a-z]{4}/.test(english[k]) && k !== "app.name");
    expect(untranslated).toEqual([]);
  });
});

describe("jump search", () => {
  it("finds screens by label and tenants by name or slug, screens first, bounded", () => {
    const items = [{ key: "audit", label: "Audit trail", path: "/audit", section: "oversee" },
      { key: "p:assets", label: "IP assets", path: "/x/p/assets", section: "work" }];
    const tenants = [tenant("hanwei-audit-co", "g", "Audit Co"), tenant("g", null, "Group")];
    expect(jumpTargets("audit", items, tenants, "/t/g").map((x) => x.value)).toEqual(["/t/g/audit", "/t/hanwei-audit-co/"]);
    expect(jumpTargets("ASSETS", items, tenants, "/t/g").map((x) => x.value)).toEqual(["/t/g/x/p/assets"]);
    expect(jumpTargets("  ", items, tenants, "/t/g")).toEqual([]);
    expect(jumpTargets("a", items, tenants, "/t/g", 2)).toHaveLength(2);
  });
});
