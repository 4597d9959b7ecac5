/** The auditor's story: open the heatmap, drill into a subsidiary, download the CSV. */
import { expect, test } from "@playwright/test";
import { expectAccessible, PEOPLE, say, screenshot, signIn, watchPage } from "./support";

test("an auditor opens the heatmap, drills down and downloads the CSV", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.auditor);
  await page.getByRole("menuitem", { name: say(info, "Supervision", "监督") }).click();
  const heatmap = page.getByRole("img", { name: say(info, "Scores by tenant and function", "按租户和职能的得分") });
  await expect(heatmap).toBeVisible();
  await expect(page.getByRole("cell", { name: "Hanwei Semiconductor Co., Ltd." })).toBeVisible();
  await screenshot(page, info, "supervision");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Hanwei Semiconductor Co., Ltd." }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer).toContainText(say(info, "Tenant detail", "租户详情"));
  await expect(drawer).toContainText(say(info, "Open findings", "未关闭的发现"));
  await page.keyboard.press("Escape");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: /CSV/ }).first().click();
  const file = await download;
  const csv = await (await file.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString("utf8");
  expect(text.split("\n")[0]).toContain("tenant");
  expect(text).toContain("hanwei-semiconductor");
  expect(problems).toEqual([]);
});
