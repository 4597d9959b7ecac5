/** The trade-secret read: the catalog asks why before it shows protected content; an engineer
 * cleared to internal is refused plainly (the server's code and words, and the attempt is
 * logged), the IP manager cleared to confidential reads it. Screens of data_governance. */
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { expectAccessible, PEOPLE, say, screenshot, signIn, watchPage } from "./support";

async function readSecret(page: Page, info: TestInfo): Promise<void> {
  await page.getByRole("menuitem", { name: say(info, "Data catalog", "数据目录") }).click();
  await page.getByRole("button", { name: say(info, "Open TS-SEMI-001", "打开 TS-SEMI-001") }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer).toContainText("Cu-Cu hybrid bonding process window");
  const read = drawer.getByRole("button", { name: say(info, "Read", "读取"), exact: true });
  await expect(read).toBeDisabled(); // no purpose, no read
  await drawer.getByLabel(say(info, "Purpose", "目的")).fill("Check the bonding window for the 2027 line");
  await read.click();
}

test("an engineer cleared to internal is refused the confidential recipe, plainly", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.contributor);
  await readSecret(page, info);
  const refused = page.getByTestId("content-refused");
  await expect(refused).toContainText("FORBIDDEN");
  await expect(refused).toContainText(say(info, "Refused", "已拒绝"));
  await expect(page.getByTestId("content-granted")).toHaveCount(0);
  await expect(page.getByText("180 degrees Celsius")).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, info, "trade-secret-refused");
  expect(problems).toEqual([]);
});

test("the IP manager cleared to confidential reads the recipe", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.manager);
  await readSecret(page, info);
  const granted = page.getByTestId("content-granted");
  await expect(granted).toContainText("TS-SEMI-001");
  await expect(granted).toContainText("180 degrees Celsius");
  await expect(page.getByTestId("content-refused")).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, info, "trade-secret-granted");
  expect(problems).toEqual([]);
});
