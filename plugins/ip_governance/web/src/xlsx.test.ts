import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parseCsv, toCsv } from "./csv";
import { xlsxToCsv } from "./xlsx";

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A workbook as Excel writes one: shared strings, an inline string, a number, a date cell. */
function workbook(): Uint8Array {
  return zipSync({
    "xl/workbook.xml": strToU8(`<workbook ${NS} ${REL}><sheets><sheet name="Assets" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    "xl/_rels/workbook.xml.rels": strToU8(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet7.xml" Type="worksheet"/></Relationships>`),
    "xl/sharedStrings.xml": strToU8(`<sst ${NS}><si><t>title</t></si><si><t>jurisdiction</t></si><si><t>filing_date</t></si><si><r><t>Wafer, </t></r><r><t>"bonded"</t></r></si></sst>`),
    "xl/styles.xml": strToU8(`<styleSheet ${NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>`),
    "xl/worksheets/sheet7.xml": strToU8(`<worksheet ${NS}><sheetData>
      <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="inlineStr"><is><t>value_tier</t></is></c></row>
      <row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="inlineStr"><is><t>CN</t></is></c><c r="C2" s="1"><v>45292</v></c><c r="D2" t="str"><v>A</v></c></row>
      <row r="3"><c r="A3" t="inlineStr"><is><t>Gap</t></is></c><c r="D3"><v>2</v></c></row>
    </sheetData></worksheet>`),
  });
}

describe("xlsxToCsv", () => {
  it("turns the first sheet into the CSV the server imports", () => {
    const csv = xlsxToCsv(workbook());
    expect(parseCsv(csv).map((r) => r.cells)).toEqual([
      ["title", "jurisdiction", "filing_date", "value_tier"],
      ['Wafer, "bonded"', "CN", "2024-01-01", "A"],
      ["Gap", "", "", "2"],
    ]);
  });

  it("refuses what is not a workbook", () => {
    expect(() => xlsxToCsv(strToU8("title,kind\n"))).toThrow();
  });
});

describe("parseCsv", () => {
  it("numbers each record by the line it ends on, as the server does", () => {
    const records = parseCsv('title,kind\r\n"two\nlines",patent\n\nlast,design\r');
    expect(records.map((r) => [r.line, r.cells[0]])).toEqual([[1, "title"], [3, "two\nlines"], [5, "last"]]);
  });

  it("reads back what toCsv writes; formulas stay text only for spreadsheets", () => {
    const rows = [["=1+1", 'a "b", c', ["x", "y"]]];
    expect(parseCsv(toCsv(["a", "b", "c"], rows)).map((r) => r.cells)[1]).toEqual(["=1+1", 'a "b", c', "x; y"]);
    expect(parseCsv(toCsv(["a", "b", "c"], rows, true))[1].cells[0]).toBe("'=1+1");
  });
});
