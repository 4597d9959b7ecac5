/** Single sign-on in the browser (issue 19) against a real OpenID provider: the certified
 * `oidc-provider` package, started with `ipgov serve` by tests/e2e/test_sso_browser.py, which
 * registers the acme group's providers and gives their names and the people they know here.
 * A person types their address, sees "Sign in with <provider>", signs in at the provider's own
 * login and consent pages, lands in the workspace with the roles the mapping gave (a directory
 * group called "Sales:Team" is only a name the table maps), signs out (a reload shows the
 * sign-in, the old cookies are refused by the API); an unknown person under the refuse policy
 * is sent back to the sign-in screen, which says why. Runs in projects sso-en and sso-zh-CN. */
import { expect, request, test, type Page } from "@playwright/test";
import { expectAccessible, language as projectLanguage, say, watchPage } from "../support";

const env = {
  creating: process.env.IPGOV_SSO_PROVIDER ?? "",    // jit CREATE, maps ip-managers and Sales:Team
  refusing: process.env.IPGOV_SSO_REFUSING ?? "",    // jit REFUSE
  issuer: process.env.IPGOV_SSO_ISSUER ?? "",
};
const PASSWORD = "any password the development pages accept";

test.skip(!env.issuer, "started by tests/e2e/test_sso_browser.py, which runs the provider");

/** The project's person: a login at the provider, their address and their name there. */
function person(lang: "en" | "zh-CN") {
  return lang === "zh-CN"
    ? { login: "lin", email: "lin.xiao@acme.example", name: "林晓" }
    : { login: "ada", email: "ada@acme.example", name: "Ada Lovelace" };
}

/** The sign-in screen in the project's language, with `email` typed in. */
async function openSignIn(page: Page, language: "en" | "zh-CN", email: string) {
  await page.goto("/signin");
  await page.getByRole("radio", { name: language === "zh-CN" ? "中文" : "English" }).check({ force: true });
  await expect(page.locator("html")).toHaveAttribute("lang", language);
  await page.locator("input[autocomplete=username]").fill(email);
}

/** The provider's own pages: its login form (any password), then its consent. */
async function signInAtProvider(page: Page, login: string) {
  await expect(page).toHaveURL(new RegExp(`^${env.issuer}/`));
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test.beforeEach(async ({ page }) => {
  // the provider's development pages import a web font; nothing here reaches the internet
  await page.route(/fonts\.(googleapis|gstatic)\.com/, (route) => route.abort());
});

test("a person signs in through the group's identity provider, gets the mapped roles and signs out", async ({ page, baseURL }, info) => {
  const problems = watchPage(page);
  const language = projectLanguage(info);
  const who = person(language);
  await openSignIn(page, language, who.email);
  const button = page.getByRole("link", { name: say(info, `Sign in with ${env.creating}`, `使用 ${env.creating} 登录`) });
  await expect(button).toBeVisible();
  await expect(page.getByRole("link", { name: say(info, `Sign in with ${env.refusing}`, `使用 ${env.refusing} 登录`) })).toBeVisible();
  await expectAccessible(page);
  await button.click();
  await signInAtProvider(page, who.login);

  // back in the workspace, signed in, the fragment's one-time code gone from the address bar
  await expect(page.getByTestId("me")).toHaveText(who.name);
  expect(new URL(page.url()).hash).toBe("");
  const picker = page.getByRole("combobox", { name: say(info, "Tenant", "租户"), exact: true });
  await expect(picker.locator("..")).toContainText(/acme [ab]/);
  await picker.click();
  const tree = page.locator(".ant-select-dropdown:visible");
  await expect(tree).toContainText("acme a");   // ip-managers -> ip_manager in acme-a
  await expect(tree).toContainText("acme b");   // "Sales:Team" -> viewer in acme-b (a name, not a tenant)
  await expect(tree).not.toContainText("globex");
  await page.keyboard.press("Escape");

  // sign out: the session ends on the server, and its cookies with it
  const cookies = (await page.context().cookies()).filter((c) => c.name.includes("ipgov_"));
  expect(cookies.map((c) => c.name)).toEqual(expect.arrayContaining(["ipgov_access", "ipgov_refresh", "ipgov_csrf"]));
  await page.getByRole("button", { name: say(info, "Sign out", "退出登录") }).click();
  await expect(page.getByRole("button", { name: say(info, "Sign in", "登录") })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("button", { name: say(info, "Sign in", "登录") })).toBeVisible();
  await expect(page.getByTestId("me")).toHaveCount(0);

  // the old cookies, replayed: the access token is revoked, the refresh token ended with it
  const jar = (names: string[]) => cookies.filter((c) => names.includes(c.name)).map((c) => `${c.name}=${c.value}`).join("; ");
  const csrf = cookies.find((c) => c.name === "ipgov_csrf")!.value;
  const replay = async (names: string[], query: string) => {
    const old = await request.newContext({ baseURL, extraHTTPHeaders: { cookie: jar(names), "x-ipgov-csrf": csrf } });
    try {
      return await (await old.post("/graphql", { data: { query } })).json();
    } finally {
      await old.dispose();
    }
  };
  const me = await replay(["ipgov_access", "ipgov_csrf"], "{ me { id } }");
  expect(me.data?.me ?? null).toBeNull();
  expect(me.errors?.[0]?.extensions, JSON.stringify(me)).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_REVOKED" });
  const refreshed = await replay(["ipgov_refresh", "ipgov_csrf"], "mutation { refreshSession { userId errors { code } } }");
  expect(refreshed.data?.refreshSession?.userId ?? null, JSON.stringify(refreshed)).toBeNull();
  expect(refreshed.data.refreshSession.errors.map((e: { code: string }) => e.code)).toEqual(["REFRESH_TOKEN_INVALID"]);
  expect(problems).toEqual([]);
});

test("an unknown person is refused by the provider's policy and the sign-in screen says why", async ({ page }, info) => {
  const problems = watchPage(page);
  const language = projectLanguage(info);
  await openSignIn(page, language, "newcomer@acme.example");
  await page.getByRole("link", { name: say(info, `Sign in with ${env.refusing}`, `使用 ${env.refusing} 登录`) }).click();
  await signInAtProvider(page, "newcomer");

  const refused = page.getByTestId("sso-refused");
  await expect(refused).toBeVisible();
  await expect(refused).toContainText(say(info, "Single sign-on refused", "单点登录被拒绝"));
  await expect(refused).toContainText(say(info, "ask your administrator for an invitation", "请向管理员申请邀请"), { ignoreCase: true });
  await expect(refused).toContainText("SSO_UNKNOWN_USER");
  await expect(page).toHaveURL(/\/signin$/);   // the reason's code left the address bar
  await expect(page.getByRole("button", { name: say(info, "Sign in", "登录") })).toBeVisible();
  await expect(page.getByTestId("me")).toHaveCount(0);
  await expectAccessible(page);
  expect(problems).toEqual([]);
});
