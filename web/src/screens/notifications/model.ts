/** The notification screens' logic, kept apart from the components so it can be tested: the
 * preference matrix (event types × channels), the event-type choices of a rule, whether a
 * rule may reach subsidiaries, a mutation's field errors by field, a feed's full URL. */

export interface EventTypeInfo { name: string; title: string; summary: string }
export interface ChannelPreference {
  channel: string; cadence: string; timezone: string;
  byEventType: readonly { eventType: string; cadence: string }[];
}

/** The person's channels and the cadences each offers (the inbox has no digest). */
export const CHANNELS = [
  { channel: "inbox", cadences: ["immediate", "off"] },
  { channel: "email", cadences: ["immediate", "daily", "weekly", "off"] },
] as const;
export type Channel = (typeof CHANNELS)[number]["channel"];

/** "default": a type that follows its channel's cadence (the API's word for it). */
export const DEFAULT = "default";

/** A cell: what is chosen (a cadence, or "default"), what it comes to, and the channel's
 * cadence for every type (what "default" means). */
export interface Cell { value: string; effective: string; channel: string }
export interface PreferenceRow { key: string; eventType: string | null; title: string; summary: string; cells: Record<Channel, Cell> }

/** The first row is every type (the channel's cadence); then each type, by title, with the
 * cadence chosen for it or "default" (and what that comes to). */
export function preferenceRows(types: readonly EventTypeInfo[], prefs: readonly ChannelPreference[],
  allTitle: string): PreferenceRow[] {
  const of = (channel: Channel) => prefs.find((p) => p.channel === channel);
  const cell = (channel: Channel, eventType: string | null): Cell => {
    const pref = of(channel);
    const base = pref?.cadence ?? "immediate";
    if (eventType === null) return { value: base, effective: base, channel: base };
    const chosen = pref?.byEventType.find((e) => e.eventType === eventType)?.cadence;
    return { value: chosen ?? DEFAULT, effective: chosen ?? base, channel: base };
  };
  const cells = (eventType: string | null) =>
    Object.fromEntries(CHANNELS.map((c) => [c.channel, cell(c.channel, eventType)])) as Record<Channel, Cell>;
  const sorted = [...types].sort((a, b) => a.title.localeCompare(b.title));
  return [{ key: "*", eventType: null, title: allTitle, summary: "", cells: cells(null) },
    ...sorted.map((t) => ({ key: t.name, eventType: t.name, title: t.title, summary: t.summary, cells: cells(t.name) }))];
}

/** The choices a cell offers: its channel's cadences, and "as every type" on a type's row. */
export function cellChoices(channel: Channel, row: PreferenceRow): string[] {
  const cadences = [...(CHANNELS.find((c) => c.channel === channel)?.cadences ?? [])];
  return row.eventType === null ? cadences : [DEFAULT, ...cadences];
}

/** What a rule can name: every type ("*"), every type of a namespace that has several
 * ("directive.*"), or one type. */
export function eventTypeChoices(types: readonly EventTypeInfo[]): { value: string; title: string; group: "all" | "prefix" | "type" }[] {
  const counts = new Map<string, number>();
  for (const t of types) {
    const prefix = t.name.slice(0, t.name.lastIndexOf("."));
    if (prefix) counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  const prefixes = [...counts.entries()].filter(([, n]) => n > 1).map(([p]) => p).sort();
  return [
    { value: "*", title: "*", group: "all" as const },
    ...prefixes.map((p) => ({ value: `${p}.*`, title: `${p}.*`, group: "prefix" as const })),
    ...[...types].sort((a, b) => a.title.localeCompare(b.title)).map((t) => ({ value: t.name, title: t.title, group: "type" as const })),
  ];
}

/** A rule's event-type pattern as a person reads it (a type by its title). */
export function patternTitle(pattern: string, types: readonly EventTypeInfo[]): string {
  return types.find((t) => t.name === pattern)?.title ?? pattern;
}

interface TenantLike { id: string; parentId?: string | null; rootId: string; governanceMode: string }

/** Whether a rule of `tenant` may also take its subsidiaries' events: only a tenant with
 * subsidiaries, in a group governed centrally or in the hybrid mode (a decentralized group
 * sees its subsidiaries through supervision only). The reason when not. */
export function subtreeChoice(tenant: TenantLike, tenants: readonly TenantLike[]): { allowed: boolean; reason?: "leaf" | "decentralized" } {
  if (!tenants.some((t) => t.parentId === tenant.id)) return { allowed: false, reason: "leaf" };
  const root = tenants.find((t) => t.id === tenant.rootId) ?? tenant;
  if (root.governanceMode.toLowerCase() === "decentralized") return { allowed: false, reason: "decentralized" };
  return { allowed: true };
}

export interface FieldError { code: string; message: string; field?: string | null }

/** A mutation's errors by input field (the first message of each), and those of no field. */
export function byField(errors: readonly FieldError[]): { fields: Record<string, string>; other: FieldError[] } {
  const fields: Record<string, string> = {};
  const other: FieldError[] = [];
  for (const e of errors) {
    if (e.field && !(e.field in fields)) fields[e.field] = e.message;
    else if (!e.field) other.push(e);
  }
  return { fields, other };
}

/** A feed URL a calendar application can open: the server's, made absolute against the
 * workspace's origin when no public URL is configured. */
export function absoluteUrl(url: string, origin: string): string {
  try {
    return new URL(url, origin).toString();
  } catch {
    return url;
  }
}
