/** The group IP director's story: onboard a subsidiary, preview and change its governance mode,
 * invite a member, who accepts the invitation and signs in to the workspace. */
import { expect, test } from "@playwright/test";
import { expectAccessible, PASSWORD, PEOPLE, say, screenshot, signIn, unique, watchPage } from "./support";

test("the director onboards a subsidiary, changes its mode after a preview, invites a member who signs in", async ({ page, browser }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.director);
  await screenshot(page, info, "home");
  await expectAccessible(page);

  // onboard: the new subsidiary appears in the group tree and in the tenant switcher
  await page.getByRole("menuitem", { name: say(info, "Governance", "治理") }).click();
  const slug = unique("hanwei-batteries");
  const name = `Hanwei Batteries ${slug.slice(-6)}`;
  const onboard = page.locator("form").filter({ has: page.getByLabel(say(info, "Short name (slug)", "简称（slug）")) });
  await onboard.getByLabel(say(info, "Name", "名称"), { exact: true }).fill(name);
  await onboard.getByLabel(say(info, "Short name (slug)", "简称（slug）")).fill(slug);
  await onboard.getByRole("button", { name: say(info, "Onboard a subsidiary", "接入子公司") }).click();
  await expect(page.getByRole("tree")).toContainText(name);
  await screenshot(page, info, "governance");
  await expectAccessible(page);

  // a bad slug is refused with the field named, and nothing else changes
  await onboard.getByLabel(say(info, "Name", "名称"), { exact: true }).fill("Broken");
  await onboard.getByLabel(say(info, "Short name (slug)", "简称（slug）")).fill("Not A Slug!");
  await onboard.getByRole("button", { name: say(info, "Onboard a subsidiary", "接入子公司") }).click();
  await expect(onboard.locator(".ant-form-item-explain-error").first()).toBeVisible();

  // switch to the new subsidiary, give it a unit of its own, then preview a change of its mode
  await page.getByRole("combobox", { name: say(info, "Tenant", "租户"), exact: true }).click();
  await page.getByRole("tree").last().getByText(name, { exact: true }).click();
  await expect(page.getByRole("heading", { level: 2 })).toContainText(name);
  await onboard.getByLabel(say(info, "Name", "名称"), { exact: true }).fill(`${name} Lab`);
  await onboard.getByLabel(say(info, "Short name (slug)", "简称（slug）")).fill(`${slug}-lab`);
  await onboard.getByRole("button", { name: say(info, "Onboard a subsidiary", "接入子公司") }).click();
  await expect(page.getByRole("tree").first()).toContainText(`${name} Lab`);
  await page.getByRole("radio", { name: new RegExp(say(info, "Centralized", "集中式")) }).check();
  const preview = page.getByTestId("mode-preview");
  await expect(preview).toBeVisible();
  await expect(preview).toContainText(say(info, "rules copied", "条规则复制"));
  await expect(preview).toContainText(say(info, "nobody gains or loses a right", "没有人获得或失去权限"));
  await page.getByRole("button", { name: say(info, "Change the mode", "更改模式") }).click();
  await expect(page.getByText(say(info, "Governance mode changed", "治理模式已更改"))).toBeVisible();
  await expect(page.getByText(say(info, "Governance mode: Centralized", "治理模式: 集中式"))).toBeVisible();

  // AI assistants may only read in the new subsidiary (and below it): the card says who decided
  const readOnly = page.getByRole("radio", { name: say(info, "May only read", "只能读取") });
  await readOnly.click();  // saved at once: checked when the server has it
  await expect(page.getByText(say(info, "Assistant policy saved", "助手策略已保存"))).toBeVisible();
  await expect(readOnly).toBeChecked();
  await expect(page.getByRole("alert").filter({ hasText: slug })).toContainText(
    say(info, "writes are switched off by", "写入已由"));

  // invite a member; without SMTP the link is shown to pass on
  await page.getByRole("menuitem", { name: say(info, "Members & access", "成员与权限") }).click();
  const email = `${unique("new.member")}@hanwei.example`;
  await page.getByLabel(say(info, "E-mail", "电子邮箱")).fill(email);
  await page.getByRole("button", { name: say(info, "Invite", "邀请"), exact: true }).click();
  const link = page.getByTestId("invitation-link").locator("code");
  await expect(link).toBeVisible();
  const url = (await link.textContent())!;
  await expectAccessible(page);
  expect(problems).toEqual([]);

  // the invited person accepts with a password and lands in the workspace, in the new subsidiary
  const invited = await browser.newContext({ locale: info.project.use.locale });
  const them = await invited.newPage();
  await them.goto(new URL(url).pathname + new URL(url).hash);
  await them.locator("#new-password").fill(PASSWORD);
  await them.locator("#confirm").fill(PASSWORD);
  await them.locator("#invitation-form button[type=submit]").click();
  await them.locator("#done a").click();
  await expect(them.getByTestId("me")).toBeVisible();
  await expect(them.getByRole("combobox", { name: say(info, "Tenant", "租户"), exact: true }).locator("..")).toContainText(name);
  await invited.close();
});
