/** CSV both ways: records with the file line each ends on (as the server numbers rows), and
 * rows written back out for "export CSV". */

export interface CsvRecord { line: number; cells: string[] }

/** Records of a CSV text, each with the line number it ends on (header = 1), skipping empty
 * records; line ends may be \n, \r\n or \r, like the server's reader. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  const end = () => {
    cells.push(cell);
    if (cells.some((c) => c.trim())) records.push({ line, cells });
    cells = [];
    cell = "";
  };
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (ch === '"') quoted = false;
      else {
        if (ch === "\n" || (ch === "\r" && text[i + 1] !== "\n")) line += 1;
        cell += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { cells.push(cell); cell = ""; }
    else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      end();
      line += 1;
    } else cell += ch;
  }
  if (cell || cells.length) end();
  return records;
}

function quote(value: unknown, forSpreadsheet: boolean): string {
  const text = value == null ? "" : Array.isArray(value) ? value.join("; ") : String(value);
  // a leading = + - @ would be a formula to a spreadsheet: keep it text there
  const safe = forSpreadsheet && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV text; `forSpreadsheet` keeps cells that a spreadsheet would run as formulas text. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[], forSpreadsheet = false): string {
  return [header, ...rows].map((row) => row.map((v) => quote(v, forSpreadsheet)).join(",")).join("\r\n") + "\r\n";
}

/** Offer a text as a file download. */
export function download(name: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob(["\ufeff", text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
