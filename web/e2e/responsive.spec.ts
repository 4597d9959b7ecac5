/** Every main screen is readable on a phone (390×844): nothing wider than the screen, the menu
 * behind a button; and usable at 1280×800 (the journeys run there). */
import { expect, test } from "@playwright/test";
import { expectAccessible, PEOPLE, say, signIn, watchPage } from "./support";

const SCREENS = ["/", "/reviews", "/directives", "/governance", "/members", "/plugins", "/jobs", "/supervision", "/audit"];

test.use({ viewport: { width: 390, height: 844 } });

test("every main screen fits a 390 px wide phone", async ({ page }, info) => {
  // the layout is the same in both languages (English labels are the longer ones): once
  test.skip(info.project.name !== "en", "checked in English, whose labels are the longer");
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.director);
  for (const path of SCREENS) {
    await page.goto(`/t/hanwei-group${path}`);
    await expect(page.locator("main h2").first()).toBeVisible();
    await expect(page.locator(".ant-spin-spinning, .ant-skeleton")).toHaveCount(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(1);
  }
  await page.getByRole("button", { name: say(info, "Menu", "菜单") }).click();
  await expect(page.getByRole("menuitem", { name: say(info, "Audit trail", "审计记录") })).toBeVisible();
  await expectAccessible(page);
  expect(problems).toEqual([]);
});
