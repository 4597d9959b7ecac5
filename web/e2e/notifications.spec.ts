/** Notifications (issue 17): the group director registers a webhook, sends it a test that a
 * real receiver verifies with the secret shown once, routes invitations to it with a rule,
 * finds the test in the delivery log, sets a preference, creates a calendar feed that a
 * calendar can read and revokes it; an auditor, who may read notifications but not manage
 * them, finds every change disabled and the server refuses it. */
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, PEOPLE, say, screenshot, signIn, unique, watchPage } from "./support";

interface Received { headers: IncomingHttpHeaders; body: string }

/** A webhook receiver on 127.0.0.1 that keeps every request it got. */
async function receiver() {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => { got.push({ headers: req.headers, body }); res.writeHead(204).end(); });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** Whether a request carries a Standard Webhooks signature made with `secret`. */
function signedWith(secret: string, request: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const content = `${request.headers["webhook-id"]}.${request.headers["webhook-timestamp"]}.${request.body}`;
  const expected = createHmac("sha256", key).update(content).digest("base64");
  return String(request.headers["webhook-signature"]).split(" ").includes(`v1,${expected}`);
}

/** Pick `option` in the searchable select labelled `label` (typed: its list is virtual). */
async function choose(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).click();
  await page.keyboard.type(option);
  const list = page.locator(".ant-select-dropdown:visible");
  await expect(list).not.toHaveClass(/-(enter|appear)/);
  await list.locator(".ant-select-item-option").filter({ hasText: option }).first().click();
  await page.keyboard.press("Escape");
}

/** GraphQL with the page's session (its cookie, and the CSRF token it sends back). */
async function graphql(page: Page, query: string, variables: Record<string, unknown>) {
  return page.evaluate(async ({ query, variables }) => {
    const csrf = document.cookie.split("; ").find((c) => c.startsWith("ipgov_csrf="))!.split("=")[1];
    const answer = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json",
      "x-ipgov-csrf": csrf }, body: JSON.stringify({ query, variables }) });
    return answer.json();
  }, { query, variables });
}

async function tenantId(page: Page, slug: string): Promise<string> {
  const answer = await graphql(page, "{ tenants(first: 50) { nodes { id slug } } }", {});
  return answer.data.tenants.nodes.find((t: { slug: string }) => t.slug === slug).id;
}

test("the director sends a verified test to a webhook, routes events to it, then manages his own notifications", async ({ page }, info) => {
  const problems = watchPage(page);
  const hook = await receiver();
  try {
    await signIn(page, info, PEOPLE.director);
    await expect(page.getByTestId("bell")).toBeVisible();
    await page.getByRole("menuitem", { name: say(info, "Notifications", "通知"), exact: true }).click();
    const register = page.locator("form").filter({ has: page.getByLabel(say(info, "Address or URL", "地址或网址")) });
    const name = unique("siem");
    await register.getByLabel(say(info, "Name", "名称"), { exact: true }).fill(name);
    await register.getByLabel(say(info, "Address or URL", "地址或网址")).fill(hook.url);
    await register.getByRole("button", { name: say(info, "Register a destination", "登记发送目标") }).click();
    const secret = (await page.getByTestId("destination-secret").locator("code").textContent())!;
    expect(secret).toMatch(/^whsec_/);

    // the test send: the receiver got it, signed with the secret shown once
    await page.getByRole("row").filter({ hasText: name }).getByRole("button", { name: say(info, "Send a test", "发送测试") }).click();
    await expect(page.getByTestId("test-result")).toHaveAttribute("data-status", "delivered");
    expect(hook.got.map((r) => [JSON.parse(r.body).type, signedWith(secret, r)])).toEqual([["notification.test", true]]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, info, "notifications-destinations");

    // a rule: invitations go to the webhook
    await page.getByRole("tab", { name: say(info, "Rules", "规则") }).click();
    await page.getByRole("button", { name: say(info, "Add a rule", "添加规则") }).click();
    const dialog = page.getByRole("dialog");
    const rule = unique("invitations");
    await dialog.getByLabel(say(info, "Name", "名称"), { exact: true }).fill(rule);
    await choose(page, say(info, "Event types", "事件类型"), say(info, "Member invited", "已邀请成员"));
    await choose(page, say(info, "Destinations", "发送目标"), name);
    await dialog.getByRole("button", { name: say(info, "Save", "保存") }).click();
    await expect(page.getByRole("row").filter({ hasText: rule })).toContainText(name);

    // the delivery log has the test, delivered
    await page.getByRole("tab", { name: say(info, "Delivery log", "投递记录") }).click();
    await expect(page.getByRole("row").filter({ hasText: say(info, "test", "测试") }).first()).toContainText(say(info, "delivered", "已送达"));
    await expectAccessible(page);

    // his own: one kind of event by e-mail as a digest (daily, or weekly when daily is his already)
    await page.getByRole("menuitem", { name: say(info, "My notifications", "我的通知") }).click();
    await page.getByRole("tab", { name: say(info, "Preferences", "通知偏好") }).click();
    await expect(page.getByTestId("preferences")).toHaveAttribute("data-ready", "true");
    const cell = page.getByTestId("pref-email-directive.overdue");
    const [daily, weekly] = [say(info, "Daily digest", "每日摘要"), say(info, "Weekly digest", "每周摘要")];
    const digest = (await cell.textContent()) === daily ? weekly : daily;
    await page.getByLabel(say(info, "E-mail for Directive overdue", "指令已逾期：电子邮件")).click();
    // click the option once the list has finished sliding in (a click during the motion only
    // hovers it: the CI's zh-CN run once saw the preview and no choice)
    const list = page.locator(".ant-select-dropdown:visible");
    await expect(list).not.toHaveClass(/-(enter|appear)/);
    await list.getByTitle(digest, { exact: true }).click();
    await expect(page.getByText(say(info, "Preference saved", "偏好已保存"))).toBeVisible();
    await expect(cell).toHaveText(digest);

    // a calendar feed: the address shown once opens the calendar, and stops when revoked
    await page.getByRole("tab", { name: say(info, "Calendar feeds", "日历订阅") }).click();
    await page.getByRole("button", { name: say(info, "Create a calendar feed", "创建日历订阅") }).click();
    const url = (await page.getByTestId("feed-url").locator("code").textContent())!;
    const feed = await page.request.get(url);
    expect([feed.status(), (await feed.text()).startsWith("BEGIN:VCALENDAR")]).toEqual([200, true]);
    await screenshot(page, info, "notifications-calendar");
    await expectAccessible(page);
    await page.getByRole("row").filter({ hasText: say(info, "active", "有效") }).first()
      .getByRole("button", { name: say(info, "Revoke", "撤销") }).click();
    await page.getByRole("tooltip").getByRole("button", { name: /OK|确定/ }).click();
    await expect(page.getByText(say(info, "Calendar feed revoked", "日历订阅已撤销"))).toBeVisible();
    expect((await page.request.get(url)).status()).toBe(404);
    // where he is signed in: this very session, marked, and not his to end from here
    await page.getByRole("tab", { name: say(info, "Sessions", "登录会话") }).click();
    const current = page.getByRole("row").filter({ hasText: say(info, "this session", "当前会话") });
    await expect(current).toHaveCount(1);
    await expect(current.getByRole("button")).toHaveCount(0);
    await expectAccessible(page);
    expect(problems).toEqual([]);
  } finally {
    await hook.close();
  }
});

test("an auditor reads the group's notifications and finds every change disabled, and the server refuses it", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.auditor);
  await page.getByRole("menuitem", { name: say(info, "Notifications", "通知"), exact: true }).click();
  await expect(page.getByRole("button", { name: say(info, "Register a destination", "登记发送目标") })).toBeDisabled();
  await page.getByRole("tab", { name: say(info, "Rules", "规则") }).click();
  const add = page.getByRole("button", { name: say(info, "Add a rule", "添加规则") });
  await expect(add).toBeDisabled();
  await add.hover({ force: true });
  await expect(page.getByRole("tooltip")).toContainText("ipgov:notification manage");
  const refused = await graphql(page, "mutation($t: ID!) { registerNotificationDestination(tenantId: $t, kind: \"email\", "
    + "name: \"x\", target: \"x@hanwei.example\") { destination { id } errors { code } } }", { t: await tenantId(page, "hanwei-group") });
  expect(JSON.stringify(refused)).toMatch(/FORBIDDEN/);
  expect(problems).toEqual([]);
});
