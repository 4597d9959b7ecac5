import { describe, expect, it } from "vitest";
import { inboxTarget } from "../app/inbox";
import {
  absoluteUrl, byField, cellChoices, DEFAULT, eventTypeChoices, patternTitle, preferenceRows, subtreeChoice,
} from "../screens/notifications/model";

const TYPES = [
  { name: "review.finished", title: "Review finished", summary: "" },
  { name: "directive.overdue", title: "Directive overdue", summary: "" },
  { name: "directive.assigned", title: "Directive assigned", summary: "" },
  { name: "ip_governance.deadline.missed", title: "Asset deadline missed", summary: "" },
];
const TENANTS = [{ id: "t-1", slug: "acme" }, { id: "t-2", slug: "acme-a" }];

describe("inbox links", () => {
  it("opens the place the event type declares, from the server's path", () => {
    expect(inboxTarget({ path: "/t/acme-a/reviews/r-9", link: "", eventTenantId: "t-2" }, TENANTS)).toBe("/t/acme-a/reviews/r-9");
  });

  it("reads the path out of an absolute link when that is all there is", () => {
    expect(inboxTarget({ path: "", link: "https://ipgov.example.com/t/acme/directives/d-1", eventTenantId: "t-1" }, TENANTS))
      .toBe("/t/acme/directives/d-1");
  });

  it("falls back to the event's tenant, and to nothing for a tenant out of reach", () => {
    expect(inboxTarget({ path: "", link: "not a url", eventTenantId: "t-2" }, TENANTS)).toBe("/t/acme-a/");
    expect(inboxTarget({ path: "https://elsewhere.example/", link: "", eventTenantId: "t-9" }, TENANTS)).toBeNull();
  });
});

describe("preference matrix", () => {
  const prefs = [
    { channel: "email", cadence: "daily", timezone: "Asia/Shanghai", byEventType: [{ eventType: "directive.overdue", cadence: "immediate" }] },
    { channel: "inbox", cadence: "immediate", timezone: "UTC", byEventType: [{ eventType: "review.finished", cadence: "off" }] },
  ];

  it("puts every type first, then the types by title, each following its channel unless chosen", () => {
    const rows = preferenceRows(TYPES, prefs, "Every event type");
    expect(rows.map((r) => r.title)).toEqual(["Every event type", "Asset deadline missed", "Directive assigned",
      "Directive overdue", "Review finished"]);
    expect(rows[0].cells).toEqual({ inbox: { value: "immediate", effective: "immediate", channel: "immediate" },
      email: { value: "daily", effective: "daily", channel: "daily" } });
    const byName = Object.fromEntries(rows.map((r) => [r.key, r.cells]));
    expect(byName["directive.overdue"].email).toEqual({ value: "immediate", effective: "immediate", channel: "daily" });
    expect(byName["directive.assigned"].email).toEqual({ value: DEFAULT, effective: "daily", channel: "daily" });
    expect(byName["review.finished"].inbox).toEqual({ value: "off", effective: "off", channel: "immediate" });
  });

  it("treats a person who never chose as immediate everywhere", () => {
    const rows = preferenceRows(TYPES, [], "all");
    expect(rows.every((r) => r.cells.email.effective === "immediate" && r.cells.inbox.effective === "immediate")).toBe(true);
  });

  it("offers digests only by e-mail, and 'as every type' only on a type's row", () => {
    const [all, one] = preferenceRows(TYPES, prefs, "all");
    expect(cellChoices("inbox", all)).toEqual(["immediate", "off"]);
    expect(cellChoices("email", all)).toEqual(["immediate", "daily", "weekly", "off"]);
    expect(cellChoices("email", one)).toEqual([DEFAULT, "immediate", "daily", "weekly", "off"]);
  });
});

describe("rules", () => {
  it("offers every type, the namespaces with several types, then each type", () => {
    const values = eventTypeChoices(TYPES).map((c) => c.value);
    expect(values).toEqual(["*", "directive.*", "ip_governance.deadline.missed", "directive.assigned", "directive.overdue",
      "review.finished"]);
    expect(patternTitle("review.finished", TYPES)).toBe("Review finished");
    expect(patternTitle("directive.*", TYPES)).toBe("directive.*");
  });

  const tenant = (id: string, parentId: string | null, mode = "HYBRID") => ({ id, parentId, rootId: "g", governanceMode: mode });

  it("lets a rule take subsidiaries' events only above subsidiaries of a centralized or hybrid group", () => {
    const hybrid = [tenant("g", null), tenant("a", "g")];
    expect(subtreeChoice(hybrid[0], hybrid)).toEqual({ allowed: true });
    expect(subtreeChoice(hybrid[1], hybrid)).toEqual({ allowed: false, reason: "leaf" });
    const decentralized = [tenant("g", null, "DECENTRALIZED"), tenant("a", "g", "HYBRID")];
    expect(subtreeChoice(decentralized[0], decentralized)).toEqual({ allowed: false, reason: "decentralized" });
  });

  it("puts each refused field's first message at that field and keeps the rest apart", () => {
    const { fields, other } = byField([{ code: "A", message: "bad name", field: "name" },
      { code: "B", message: "second", field: "name" }, { code: "C", message: "general", field: null }]);
    expect(fields).toEqual({ name: "bad name" });
    expect(other.map((e) => e.code)).toEqual(["C"]);
  });
});

describe("calendar feed address", () => {
  it("is made absolute against the workspace when the server has no public URL", () => {
    expect(absoluteUrl("/calendar/abc.ics", "http://127.0.0.1:8000")).toBe("http://127.0.0.1:8000/calendar/abc.ics");
    expect(absoluteUrl("https://ipgov.example.com/calendar/abc.ics", "http://127.0.0.1:8000"))
      .toBe("https://ipgov.example.com/calendar/abc.ics");
  });
});
