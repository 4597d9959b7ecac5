/** The first sheet of an Excel workbook (.xlsx) as CSV, read in the browser so the server
 * imports one format. An .xlsx is a zip of XML parts: fflate unzips it, the DOM parses it;
 * date cells (a date number format) become YYYY-MM-DD. */
import { unzipSync, strFromU8 } from "fflate";
import { toCsv } from "./csv";

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

function xml(files: Record<string, Uint8Array>, name: string): Document | null {
  const bytes = files[name];
  return bytes ? new DOMParser().parseFromString(strFromU8(bytes), "application/xml") : null;
}

function texts(element: Element): string {
  return Array.from(element.getElementsByTagName("t")).map((t) => t.textContent ?? "").join("");
}

function firstSheetPath(files: Record<string, Uint8Array>): string {
  const book = xml(files, "xl/workbook.xml");
  const rels = xml(files, "xl/_rels/workbook.xml.rels");
  const sheet = book?.getElementsByTagName("sheet")[0];
  const id = sheet?.getAttribute("r:id") ?? sheet?.getAttributeNS(
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id");
  const rel = rels && id ? Array.from(rels.getElementsByTagName("Relationship"))
    .find((r) => r.getAttribute("Id") === id) : undefined;
  const target = rel?.getAttribute("Target");
  if (!target) return "xl/worksheets/sheet1.xml";
  return target.startsWith("/") ? target.slice(1) : `xl/${target.replace(/^\.\//, "")}`;
}

/** Which style indexes format a number as a date. */
function dateStyles(files: Record<string, Uint8Array>): Set<number> {
  const styles = xml(files, "xl/styles.xml");
  const dates = new Set<number>();
  if (!styles) return dates;
  const custom = new Map(Array.from(styles.getElementsByTagName("numFmt"))
    .map((f) => [Number(f.getAttribute("numFmtId")), f.getAttribute("formatCode") ?? ""]));
  const xfs = styles.getElementsByTagName("cellXfs")[0];
  Array.from(xfs?.getElementsByTagName("xf") ?? []).forEach((xf, index) => {
    const id = Number(xf.getAttribute("numFmtId") ?? 0);
    const code = (custom.get(id) ?? "").replace(/\[[^\]]*\]|"[^"]*"/g, "");
    if (BUILTIN_DATE_FORMATS.has(id) || /[dy]/i.test(code)) dates.add(index);
  });
  return dates;
}

function columnIndex(reference: string): number {
  const letters = /^[A-Z]+/.exec(reference)?.[0] ?? "A";
  return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
}

function serialDate(serial: number): string {
  return new Date(Date.UTC(1899, 11, 30) + Math.round(serial * 86400) * 1000).toISOString().slice(0, 10);
}

/** The rows of the first sheet, each a list of cell texts. */
export function xlsxRows(data: ArrayBuffer | Uint8Array): string[][] {
  const files = unzipSync(data instanceof Uint8Array ? data : new Uint8Array(data));
  const shared = xml(files, "xl/sharedStrings.xml");
  const strings = shared ? Array.from(shared.getElementsByTagName("si")).map(texts) : [];
  const dates = dateStyles(files);
  const sheet = xml(files, firstSheetPath(files));
  if (!sheet || sheet.getElementsByTagName("parsererror").length) throw new Error("no worksheet");
  return Array.from(sheet.getElementsByTagName("row")).map((row) => {
    const cells: string[] = [];
    Array.from(row.getElementsByTagName("c")).forEach((c, position) => {
      const reference = c.getAttribute("r");
      const index = reference ? columnIndex(reference) : position;
      const type = c.getAttribute("t") ?? "n";
      const value = c.getElementsByTagName("v")[0]?.textContent ?? "";
      let text = value;
      if (type === "s") text = strings[Number(value)] ?? "";
      else if (type === "inlineStr") text = texts(c);
      else if (type === "b") text = value === "1" ? "TRUE" : "FALSE";
      else if (type === "n" && value && dates.has(Number(c.getAttribute("s") ?? -1))) text = serialDate(Number(value));
      while (cells.length < index) cells.push("");
      cells[index] = text;
    });
    return cells;
  });
}

/** The first sheet as CSV text. */
export function xlsxToCsv(data: ArrayBuffer | Uint8Array): string {
  const rows = xlsxRows(data);
  const width = Math.max(0, ...rows.map((r) => r.length));
  return toCsv(rows[0]?.map(String) ?? [], rows.slice(1).map((r) => [...r, ...Array(width - r.length).fill("")]));
}
