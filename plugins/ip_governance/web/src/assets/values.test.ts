import { describe, expect, it } from "vitest";
import { toInput, toValues } from "./values";
import type { Asset } from "./values";

const asset = {
  kind: "patent", status: "granted", valueTier: null, title: "Wafer bonding", jurisdiction: "DE",
  familyId: "", applicationNumber: "", publicationNumber: "", registrationNumber: "", kindCode: "",
  assignee: "Samsung Electronics Co., Ltd.", owner: "", priorityDate: null, filingDate: null,
  publicationDate: null, grantDate: null, expiryDate: null,
  inventors: ["Lovelace, Ada", "Müller, Hans"], cpcCodes: ["H01L 21/67", "G06N 3/08"],
} as unknown as Asset;

describe("the asset form's values", () => {
  it("keeps an inventor whose name holds a comma as one inventor through an edit", () => {
    const input = toInput(toValues(asset));
    expect(input.inventors).toEqual(["Lovelace, Ada", "Müller, Hans"]);
    expect(input.cpcCodes).toEqual(["H01L 21/67", "G06N 3/08"]);
    expect(input.assignee).toBe("Samsung Electronics Co., Ltd.");
  });

  it("trims entries and drops empty ones", () => {
    const input = toInput({ ...toValues(null), inventors: [" Zhao Lei ", ""], cpcCodes: "H01L, , G06N" });
    expect(input.inventors).toEqual(["Zhao Lei"]);
    expect(input.cpcCodes).toEqual(["H01L", "G06N"]);
  });
});
