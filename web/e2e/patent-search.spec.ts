/** The patent searcher's story: a fielded search narrowed by a CPC facet, a document opened
 * with its claims, and an FTO screening that shows each matched claim beside the passage of
 * the screened text. Screens of the patent_search plugin, mounted through the extension contract. */
import { expect, test } from "@playwright/test";
import { expectAccessible, PEOPLE, say, screenshot, signIn, unique, watchPage } from "./support";

const BONDING = "A glass wafer of silicon dioxide and a silicon wafer are bonded at room temperature: both "
  + "surfaces are sputtered with an argon ion beam in a vacuum chamber and contacted through a thin aluminium "
  + "oxide intermediate layer, without heating.";

test("an engineer searches with facets, opens a document and screens a solution for FTO", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.contributor);
  await page.getByRole("menuitem", { name: say(info, "Patent search", "专利检索") }).click();
  const query = page.getByLabel(say(info, "Query", "检索式"), { exact: true });
  await query.fill("bonding");
  await query.press("Enter");
  await expect(page.getByTestId("patent-total")).toBeVisible();
  await expect(page.getByText(say(info, "CPC subclass", "CPC 小类"), { exact: true })).toBeVisible();
  // a facet value, titled from the CPC scheme, narrows the query
  await page.getByRole("button", { name: /^H01L\s+SEMICONDUCTOR/ }).click();
  await expect(query).toHaveValue("bonding AND cpc:H01L");
  const first = page.getByRole("button", { name: "Manufcaturing method for room-temperature substrate bonding" });
  await expect(first).toBeVisible();
  await expect(page.locator("mark").first()).toBeVisible(); // highlighted snippets
  await expectAccessible(page);
  await screenshot(page, info, "patent-search");

  await first.click();
  const drawer = page.getByRole("dialog");
  await expect(drawer).toContainText("US-8936998-B2");
  await drawer.getByRole("tab", { name: new RegExp(say(info, "Claims", "权利要求")) }).click();
  await expect(drawer.locator("ol li").first()).toContainText(/substrate/i);
  await drawer.getByRole("tab", { name: say(info, "Parties", "当事人") }).click();
  await expect(drawer).toContainText("Mitsubishi Heavy Industries");
  await expectAccessible(page);
  await drawer.getByRole("button", { name: say(info, "Close", "关闭") }).click();

  await page.getByRole("menuitem", { name: say(info, "FTO screening", "FTO 筛查") }).click();
  await page.getByLabel(say(info, "Title of the solution", "技术方案标题")).fill(unique("room-temperature bonding"));
  await page.getByLabel(say(info, "Technical solution", "技术方案"), { exact: true }).fill(BONDING);
  await page.getByRole("button", { name: say(info, "Screen", "筛查"), exact: true }).click();
  const hits = page.getByTestId("fto-hits");
  await expect(hits).toContainText("US-8936998-B2", { timeout: 30_000 });
  const match = page.getByTestId("fto-match").first();
  await expect(match).toContainText(say(info, "Passage of the screened text", "被筛查文本中的段落"));
  await expect(match).toContainText(say(info, "Claim 1", "权利要求 1"));
  await expect(match.locator("mark").first()).toBeVisible(); // the shared terms, on both sides
  await expectAccessible(page);
  await screenshot(page, info, "patent-fto");
  expect(problems).toEqual([]);
});
