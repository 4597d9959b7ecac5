/** What every journey needs: demo people, signing in, texts per language, accessibility and CSP checks. */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, type TestInfo } from "@playwright/test";

export const PASSWORD = "ipgov-demo-2026";
export const PEOPLE = {
  director: "li.wei@hanwei.example",          // group_admin of hanwei-group
  auditor: "chen.jing@hanwei.example",        // auditor of hanwei-group
  manager: "wang.fang@hanwei.example",        // ip_manager of hanwei-semiconductor
  contributor: "zhao.lei@hanwei.example",     // contributor of hanwei-semiconductor
  northstar: "maria.lopez@northstar.example", // another group entirely
} as const;

/** The project's language: "en" or "zh-CN" (projects en, zh-CN, sso-en, sso-zh-CN). */
export function language(info: TestInfo): "en" | "zh-CN" {
  return info.project.name.endsWith("zh-CN") ? "zh-CN" : "en";
}

/** A text matcher for both languages. */
export function say(info: TestInfo, en: string, zh: string): string {
  return language(info) === "zh-CN" ? zh : en;
}

/** Every CSP violation and uncaught error of the page, to assert none happened. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  void page.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) =>
    console.error(`CSP ${e.violatedDirective} ${e.sourceFile}:${e.lineNumber} ${e.sample}`)));
  page.on("console", (m) => { if (m.type() === "error" && m.text().startsWith("CSP")) problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Sign in through the form, in the project's language, and wait for the shell. */
export async function signIn(page: Page, info: TestInfo, email: string): Promise<void> {
  await page.goto("/signin");
  const lang = language(info);
  await page.getByRole("radio", { name: lang === "zh-CN" ? "中文" : "English" }).check({ force: true }).catch(() => undefined);
  await page.locator("input[autocomplete=username]").fill(email);
  await page.locator("input[autocomplete=current-password]").fill(PASSWORD);
  await page.getByRole("button", { name: say(info, "Sign in", "登录") }).click();
  await expect(page.getByTestId("me")).toBeVisible();
  // the person's stored language wins after sign-in; make it the project's for this journey
  await page.getByRole("radio", { name: lang === "zh-CN" ? "中文" : "English" }).check({ force: true });
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
}

/** Zero axe-core violations of WCAG 2 level A and AA on what the page shows now, once nothing
 * is fading in: axe measures colours as painted, and a toast caught half-way failed contrast. */
export async function expectAccessible(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((a) =>
    a.playState !== "running" || a.effect?.getTiming().iterations === Infinity), null, { timeout: 3_000 }).catch(() => undefined);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  expect(found, "axe-core violations").toEqual([]);
}

/** A screenshot for docs/ (only when IPGOV_SCREENSHOTS names a folder). */
export async function screenshot(page: Page, info: TestInfo, name: string): Promise<void> {
  const folder = process.env.IPGOV_SCREENSHOTS;
  if (!folder) return;
  await page.screenshot({ path: `${folder}/${name}-${language(info)}.png` });
}

/** A name no earlier run used (journeys of both languages share one server). */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}
