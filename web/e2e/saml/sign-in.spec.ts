/** SAML single sign-on in the browser (issue 19) against a real SAML identity provider:
 * pysaml2's IdP side behind its own login page, started with `ipgov serve` by
 * tests/e2e/test_saml_browser.py, which registers the acme group's SAML provider (its name is
 * given here) and the people the IdP knows. A person types their address, clicks "Sign in with
 * <provider>", signs in on the IdP's page, is posted back to ipgov (HTTP-POST binding) and
 * lands in the workspace with the roles the mapping gave; signing out goes through the IdP
 * (single logout) and back to the sign-in screen. Then what a person sees when the
 * IdP's answer is not acceptable: altered after signing, issued to another service provider,
 * expired before it arrived, or posted a second time (the IdP's page visited again): each
 * brings them back to the sign-in screen, which says why in their language. Runs in projects
 * saml-en and saml-zh-CN. */
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { expectAccessible, language as projectLanguage, say, watchPage } from "../support";

const env = {
  provider: process.env.IPGOV_SAML_PROVIDER ?? "",
  idp: process.env.IPGOV_SAML_IDP ?? "",
};

test.skip(!env.idp, "started by tests/e2e/test_saml_browser.py, which runs the identity provider");

/** The project's person: their login at the IdP, their address and their name there. */
function person(lang: "en" | "zh-CN") {
  return lang === "zh-CN"
    ? { login: "lin", email: "lin.xiao@acme.example", name: "林晓" }
    : { login: "ada", email: "ada@acme.example", name: "Ada Lovelace" };
}

/** The sign-in screen in the project's language, `email` typed in, then the provider's
 * button, then the IdP's own login page with `login`; returns the address of the IdP's page
 * that posts the answer back. */
async function signInWithIdp(page: Page, info: TestInfo, email: string, login: string): Promise<string> {
  const language = projectLanguage(info);
  await page.goto("/signin");
  await page.getByRole("radio", { name: language === "zh-CN" ? "中文" : "English" }).check({ force: true });
  await expect(page.locator("html")).toHaveAttribute("lang", language);
  await page.locator("input[autocomplete=username]").fill(email);
  const button = page.getByRole("link", { name: say(info, `Sign in with ${env.provider}`, `使用 ${env.provider} 登录`) });
  await expect(button).toBeVisible();
  await button.click();
  await expect(page).toHaveURL(new RegExp(`^${env.idp}/sso\\?SAMLRequest=`));
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any password");
  const postBack = page.waitForRequest((r) => r.url().startsWith(`${env.idp}/continue/`));
  await page.getByRole("button", { name: "Sign in at Acme IdP" }).click();
  return (await postBack).url();
}

/** The refusal on the sign-in screen: its title, the reason in the project's language, the code. */
async function expectRefused(page: Page, info: TestInfo, code: string, en: string, zh: string) {
  const refused = page.getByTestId("sso-refused");
  await expect(refused).toBeVisible();
  await expect(refused).toContainText(say(info, "Single sign-on refused", "单点登录被拒绝"));
  await expect(refused).toContainText(say(info, en, zh), { ignoreCase: true });
  await expect(refused).toContainText(code);
  await expect(page).toHaveURL(/\/signin$/);   // the reason's code left the address bar
  await expect(page.getByTestId("me")).toHaveCount(0);
}

test("a person signs in through the group's SAML identity provider and gets the mapped roles; the same answer posted again is refused", async ({ page }, info) => {
  const problems = watchPage(page);
  const who = person(projectLanguage(info));
  const postBack = await signInWithIdp(page, info, who.email, who.login);

  // back in the workspace, signed in, the one-time code gone from the address bar
  await expect(page.getByTestId("me")).toHaveText(who.name);
  expect(new URL(page.url()).hash).toBe("");
  const picker = page.getByRole("combobox", { name: say(info, "Tenant", "租户"), exact: true });
  await expect(picker.locator("..")).toContainText(/acme [ab]/);
  await picker.click();
  const tree = page.locator(".ant-select-dropdown:visible");
  await expect(tree).toContainText("acme a");   // ip-managers -> ip_manager in acme-a
  await expect(tree).toContainText("acme b");   // "Sales:Team" -> viewer in acme-b
  await expect(tree).not.toContainText("globex");
  await page.keyboard.press("Escape");

  // signing out here signs out at the IdP too (single logout), then back on the sign-in screen
  const atIdp = page.waitForRequest((r) => r.url().startsWith(`${env.idp}/slo?SAMLRequest=`));
  await page.getByRole("button", { name: say(info, "Sign out", "退出登录") }).click();
  await atIdp;
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("button", { name: say(info, "Sign in", "登录") })).toBeVisible();
  await expect(page.getByTestId("me")).toHaveCount(0);

  // the IdP's page visited again posts the very same signed answer: a replay, refused
  await page.goto(postBack);
  await expectRefused(page, info, "SSO_SAML_REPLAYED", "was used already", "已被使用过");
  await expectAccessible(page);
  expect(problems).toEqual([]);
});

const refusals = [
  { login: "tampered", code: "SSO_SAML_SIGNATURE", en: "altered on the way", zh: "被篡改" },
  { login: "wrong-audience", code: "SSO_SAML_WRONG_AUDIENCE", en: "issued to another service", zh: "签发给其他服务" },
  { login: "expired", code: "SSO_SAML_EXPIRED", en: "has expired", zh: "已过期" },
];

for (const refusal of refusals) {
  test(`an answer of the IdP that is ${refusal.login} is refused and the sign-in screen says why`, async ({ page }, info) => {
    const problems = watchPage(page);
    await signInWithIdp(page, info, "mallory@acme.example", refusal.login);
    await expectRefused(page, info, refusal.code, refusal.en, refusal.zh);
    await expect(page.getByRole("button", { name: say(info, "Sign in", "登录") })).toBeVisible();
    expect(problems).toEqual([]);
  });
}
