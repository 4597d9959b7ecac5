/** The IP manager's story with the asset register (ip_governance's screens, mounted through the
 * UI extension contract): register an asset (a refused field shown at the field), import a CSV
 * with one bad row (shown in place, not stored; the good rows stored), see the deadlines; and a
 * contributor, whom the group's baseline denies registering, finds the controls disabled. */
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { expectAccessible, PEOPLE, say, screenshot, signIn, unique, watchPage } from "./support";

async function openRegister(page: Page, info: TestInfo) {
  await page.getByRole("menuitem", { name: say(info, "IP assets", "知识产权资产") }).click();
  await expect(page.getByRole("heading", { name: say(info, "IP asset register", "知识产权资产台账") })).toBeVisible();
}

test("an IP manager registers an asset, imports a CSV with a bad row and checks the deadlines", async ({ page }, info) => {
  const problems = watchPage(page);
  const name = unique("Stacked die cooling");
  const number = `CN${Date.now()}`;
  await signIn(page, info, PEOPLE.manager);
  await expect(page.getByText(say(info, "Deadlines in 90 days", "90 天内的期限"))).toBeVisible();
  await openRegister(page, info);
  await expectAccessible(page);

  // register: the server refuses the office code, the message stands at the field
  await page.getByRole("button", { name: say(info, "Register asset", "登记资产") }).click();
  const form = page.getByRole("dialog");
  await form.getByLabel(say(info, "Title", "名称")).fill(name);
  await form.getByLabel(say(info, "Jurisdiction", "法域")).fill("C1");
  await form.getByLabel(say(info, "Application number", "申请号")).fill(number);
  // an inventor written family-first keeps its comma: one entry per Enter, never split
  const inventors = form.getByLabel(say(info, "Inventors", "发明人"));
  for (const inventor of ["Lovelace, Ada", "Zhao Lei"]) {
    await inventors.fill(inventor);
    await inventors.press("Enter");
  }
  await inventors.press("Escape");
  await expect(form.getByTitle("Lovelace, Ada", { exact: true }).first()).toBeVisible();
  await expect(form.getByTitle("Zhao Lei", { exact: true }).first()).toBeVisible();
  await expect(form.getByTitle("Lovelace", { exact: true })).toHaveCount(0);
  await form.getByRole("button", { name: say(info, "Save", "保存") }).click();
  const refused = form.locator(".ant-form-item-has-error");
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText(say(info, "Jurisdiction", "法域"));
  await expect(refused.locator(".ant-form-item-explain-error")).toBeVisible();
  await expectAccessible(page);
  await form.getByLabel(say(info, "Jurisdiction", "法域")).fill("CN");
  await form.getByRole("button", { name: say(info, "Save", "保存") }).click();
  await expect(form).toBeHidden();
  await expect(page.locator("table").getByText(name, { exact: true })).toBeVisible();

  // import: rows 2 and 4 are good, row 3 names a status that does not exist
  const good = [unique("Imported TSV pitch"), unique("Imported hybrid bond")];
  const bad = unique("Imported bad status");
  const csv = ["kind,title,jurisdiction,application_number,status",
    `patent,${good[0]},CN,${number}1,pending`,
    `patent,${bad},CN,${number}2,bogus`,
    `patent,${good[1]},US,${number}3,granted`].join("\n");
  await page.getByRole("button", { name: say(info, "Import", "导入"), exact: true }).click();
  const dialog = page.getByRole("dialog", { name: say(info, "Import assets from CSV or XLSX", "从 CSV 或 XLSX 导入资产") });
  await dialog.getByTestId("ipg-import-file").setInputFiles({ name: "assets.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(dialog.getByText(say(info, "3 rows read from assets.csv", "从 assets.csv 读取了 3 行"))).toBeVisible();
  await dialog.getByRole("button", { name: say(info, "Import", "导入"), exact: true }).click();
  await expect(dialog.getByRole("status")).toContainText(say(info, "2 created, 0 updated", "新建 2 项，更新 0 项"));
  await expect(dialog.getByRole("status")).toContainText(say(info, "Nothing was stored from them", "这些行的内容均未保存"));
  const badRow = dialog.locator('tr[data-row="3"]');
  await expect(badRow).toHaveAttribute("data-bad", "true");
  await expect(badRow).toContainText(bad);
  await expect(badRow).toContainText("status");
  await expect(badRow).toContainText(say(info, "Not stored", "未保存"));
  await expect(dialog.locator('tr[data-row="2"]')).toContainText(say(info, "Stored", "已保存"));
  await screenshot(page, info, "ip-asset-import");
  await expectAccessible(page);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  for (const title of good) await expect(page.locator("table").getByText(title, { exact: true })).toBeVisible();
  await expect(page.getByText(bad)).toHaveCount(0);

  // the deadlines: list with the demo's renewals, then the month calendar
  await page.getByRole("menuitem", { name: say(info, "Deadlines", "期限"), exact: true }).click();
  await expect(page.getByRole("heading", { name: say(info, "Deadlines", "期限"), exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "US maintenance fee", exact: true })).toBeVisible();
  await expectAccessible(page);
  await page.getByText(say(info, "Calendar", "日历"), { exact: true }).click();
  await expect(page.locator(".ant-picker-calendar")).toBeVisible();
  await screenshot(page, info, "ip-deadlines");
  await expectAccessible(page);
  expect(problems).toEqual([]);
});

test("a contributor finds registering and importing assets disabled", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.contributor);
  await openRegister(page, info);
  await expect(page.getByRole("button", { name: say(info, "Register asset", "登记资产") })).toBeDisabled();
  await expect(page.getByRole("button", { name: say(info, "Import", "导入"), exact: true })).toBeDisabled();
  await expectAccessible(page);
  expect(problems).toEqual([]);
});
