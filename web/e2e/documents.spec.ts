/** The group IP director approves a controlled document's new version in the workspace
 * (GB/T 29490-2023 7.5): it waits in approval, he approves it, it is in force. */
import { expect, test } from "@playwright/test";
import { expectAccessible, PEOPLE, say, screenshot, signIn, watchPage } from "./support";

test("the director approves a controlled document's version waiting for him", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.director);
  await page.getByRole("menuitem", { name: say(info, "Controlled documents", "受控文件") }).click();
  await expect(page.getByRole("heading", { name: say(info, "Controlled documents", "受控文件") })).toBeVisible();
  // each language approves its own document, so the two runs never meet on one version
  const code = say(info, "HW-IPP-002", "HW-IPM-001");
  const waiting = say(info, "v2", "v3");
  const row = page.getByRole("row").filter({ hasText: code });
  await row.getByRole("button").first().click();  // expand: the versions
  const versions = page.locator("tr.ant-table-expanded-row");  // the versions' own table
  const version = versions.getByRole("row").filter({ hasText: say(info, "In approval", "审批中") })
    .filter({ hasText: waiting });
  await expect(version).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "documents");
  await version.getByRole("button", { name: `${say(info, "Approve", "批准")} ${waiting}` }).click();
  await expect(page.getByText(say(info, "Decision recorded", "审批决定已记录"))).toBeVisible();
  const approved = versions.getByRole("row").filter({ hasText: say(info, "Approved", "已批准") })
    .filter({ hasText: waiting });
  await expect(approved).toBeVisible();
  await expect(versions.getByRole("row").filter({ hasText: say(info, "Superseded", "已替代") }).first()).toBeVisible();
  expect(problems).toEqual([]);
});
