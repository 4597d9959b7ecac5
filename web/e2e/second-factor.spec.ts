/** Second factors in the browser: a person enrols an authenticator app (the code computed here,
 * RFC 6238 with node:crypto), signs out and back in with password and code; then adds a passkey
 * on Chromium's virtual authenticator (CTAP2, resident key, user verification) and signs in with
 * it. Each language has its own person (tests/e2e/test_workspace_browser.py makes them), since
 * enrolling changes how that person signs in. The server is served on http://localhost: browsers
 * refuse an IP address as a WebAuthn relying party. */
import { createHmac } from "node:crypto";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { expectAccessible, language, PASSWORD, say, screenshot, signIn, watchPage } from "./support";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(text: string): Buffer {
  let bits = "";
  for (const ch of text.replace(/=+$/, "").toUpperCase()) bits += ALPHABET.indexOf(ch).toString(2).padStart(5, "0");
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The six-digit code of `secret` for the 30-second step `offset` steps from now. */
function totp(secret: string, offset = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + offset));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

function person(info: TestInfo): string {
  return `mfa-${language(info).toLowerCase()}@hanwei.example`;
}

async function openSecurity(page: Page): Promise<void> {
  const slug = new URL(page.url()).pathname.split("/")[2];
  await page.goto(`/t/${slug}/me/security`);
}

async function signOut(page: Page, info: TestInfo): Promise<void> {
  await page.getByRole("button", { name: say(info, "Sign out", "退出登录") }).click();
  await expect(page.locator("input[autocomplete=username]")).toBeVisible();
}

async function password(page: Page, info: TestInfo): Promise<void> {
  await page.locator("input[autocomplete=username]").fill(person(info));
  await page.locator("input[autocomplete=current-password]").fill(PASSWORD);
  await page.getByRole("button", { name: say(info, "Sign in", "登录") }).click();
  await expect(page.getByText(say(info, "Your password was right", "密码正确"))).toBeVisible();
}

test("an authenticator app, then a passkey, guard the sign-in", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, person(info));
  await openSecurity(page);
  await page.getByRole("button", { name: say(info, "Set up an authenticator app", "设置身份验证器应用") }).click();
  const secret = (await page.getByTestId("totp-secret").locator("code").innerText()).trim();
  await page.getByLabel(say(info, "Six-digit code", "六位验证码")).fill(totp(secret));
  await page.getByRole("button", { name: say(info, "Confirm", "确认") }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await page.getByRole("button", { name: say(info, "I have saved them", "我已保存") }).click();
  await screenshot(page, info, "security");

  await signOut(page, info);
  await password(page, info);
  await expectAccessible(page);
  // the confirmation spent this step's code: the next step's is within the drift window
  await page.getByLabel(say(info, "Six-digit code", "六位验证码")).fill(totp(secret, 1));
  await page.getByRole("button", { name: say(info, "Continue", "继续") }).click();
  await expect(page.getByTestId("me")).toBeVisible();

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", { options: {
    protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
    isUserVerified: true, automaticPresenceSimulation: true,
  } });
  await openSecurity(page);
  await page.getByLabel(say(info, "Name", "名称"), { exact: true }).fill("laptop");
  await page.getByRole("button", { name: say(info, "Add a passkey", "添加通行密钥") }).click();
  await expect(page.getByRole("cell", { name: "laptop" })).toBeVisible();

  await signOut(page, info);
  await password(page, info);
  await page.getByRole("button", { name: say(info, "Use a passkey", "使用通行密钥") }).click();
  await expect(page.getByTestId("me")).toBeVisible();
  expect(problems).toEqual([]);
});
