/** The asset form's values and the input they make. A list whose entries may hold commas (an
 * inventor written family-first: "Lovelace, Ada") is edited as tags, one entry each, and never
 * split; CPC codes, which never hold a comma, are typed as one comma-separated text. */
import type { IpgAssetsQuery } from "../../../../../web/src/gql/graphql";

export type Asset = IpgAssetsQuery["ipAssets"]["nodes"][number];

export const TEXT_FIELDS = ["title", "jurisdiction", "familyId", "applicationNumber", "publicationNumber",
  "registrationNumber", "kindCode", "assignee", "owner"] as const;
export const DATE_FIELDS = ["priorityDate", "filingDate", "publicationDate", "grantDate", "expiryDate"] as const;
export const FIELDS: readonly string[] = [...TEXT_FIELDS, ...DATE_FIELDS, "kind", "status", "valueTier", "inventors", "cpcCodes"];

export type Values = Record<string, string | string[] | undefined>;

export function toValues(asset: Asset | null): Values {
  if (!asset) return { kind: "patent", status: "pending", inventors: [] };
  const values: Values = { kind: asset.kind, status: asset.status, valueTier: asset.valueTier ?? undefined,
    inventors: [...asset.inventors], cpcCodes: asset.cpcCodes.join(", ") };
  for (const name of TEXT_FIELDS) values[name] = asset[name];
  for (const name of DATE_FIELDS) values[name] = asset[name] ?? "";
  return values;
}

/** Entries of a tags field as they are, or of a comma-separated text. */
function entries(value: string | string[] | undefined): string[] {
  const parts = Array.isArray(value) ? value : (value ?? "").split(",");
  return parts.map((s) => s.trim()).filter(Boolean);
}

function text(value: string | string[] | undefined): string {
  return typeof value === "string" ? value : "";
}

export function toInput(values: Values) {
  const input: Record<string, unknown> = { kind: values.kind, status: values.status,
    valueTier: values.valueTier ?? null, inventors: entries(values.inventors), cpcCodes: entries(values.cpcCodes) };
  for (const name of TEXT_FIELDS) input[name] = text(values[name]).trim();
  for (const name of DATE_FIELDS) input[name] = text(values[name]) || null;
  return input;
}
