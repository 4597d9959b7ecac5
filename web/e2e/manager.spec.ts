/** The subsidiary IP manager's review work: request a review, watch it finish, read its scores
 * and findings, close a directive; and a contributor is refused what his role does not allow. */
import { expect, test } from "@playwright/test";
import { expectAccessible, PEOPLE, say, screenshot, signIn, watchPage } from "./support";

test("the IP manager requests a review, watches it finish and closes a directive", async ({ page }, info) => {
  const problems = watchPage(page);
  const frames: string[] = [];
  page.on("websocket", (socket) => {
    if (socket.url().endsWith("/graphql")) socket.on("framereceived", (frame) => frames.push(String(frame.payload)));
  });
  await signIn(page, info, PEOPLE.manager);
  await expect(page.getByRole("heading", { level: 2 })).toContainText("Hanwei Semiconductor");
  await expect(page.getByText(say(info, "My open directives", "我的未完成指令"))).toBeVisible();

  await page.getByRole("menuitem", { name: say(info, "Reviews", "评审") }).click();
  await page.getByRole("button", { name: say(info, "Request a review", "发起评审") }).click();
  await expect(page.getByText(say(info, "Review requested", "已发起评审"))).toBeVisible();
  await page.getByRole("row").nth(1).getByRole("link").click();
  const shown = await page.getByTestId("run-status").getAttribute("data-status");
  // live progress until the workers are done, then scores with their coverage and findings
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  if (shown !== "succeeded") {
    // it was still running when shown: its progress came over the socket (graphql-transport-ws,
    // signed in by the session cookie), not by polling
    expect(frames.some((f) => f.includes('"connection_ack"'))).toBe(true);
    expect(frames.some((f) => f.includes('"reviewProgress"'))).toBe(true);
  }
  await expect(page.getByRole("img", { name: say(info, "Scores by function", "各职能得分") })).toBeVisible();
  await expect(page.getByText(say(info, "Findings", "发现"), { exact: true })).toBeVisible();
  await screenshot(page, info, "review");
  await expectAccessible(page);

  await page.getByRole("menuitem", { name: say(info, "Directives", "整改指令") }).click();
  // an escalated directive is the group's to decide: its control is disabled, with the reason
  const escalated = page.getByRole("row").filter({ hasText: say(info, "escalated", "已上报") }).first();
  await expect(escalated.getByRole("button", { name: say(info, "Mark done", "标记为完成") })).toBeDisabled();
  const first = page.getByRole("row").filter({ hasNotText: say(info, "escalated", "已上报") }).nth(1);
  const action = (await first.getByRole("cell").first().textContent())!;
  await first.getByRole("button", { name: say(info, "Mark done", "标记为完成") }).click();
  await page.getByRole("tooltip").getByRole("button", { name: /OK|确定/ }).click();
  await expect(page.getByText(say(info, "Directive closed", "指令已关闭"))).toBeVisible();
  await expect(page.getByRole("cell", { name: action, exact: true })).toHaveCount(0);
  await screenshot(page, info, "directives");
  await expectAccessible(page);
  expect(problems).toEqual([]);
});

test("a contributor finds the controls his role does not allow disabled, and the server refuses them too", async ({ page }, info) => {
  const problems = watchPage(page);
  await signIn(page, info, PEOPLE.contributor);
  await expect(page.getByRole("menuitem", { name: say(info, "Members & access", "成员与权限") })).toHaveCount(0);
  // the tenant's notifications are not his to read; his own are
  await expect(page.getByRole("menuitem", { name: say(info, "Notifications", "通知"), exact: true })).toHaveCount(0);
  await expect(page.getByRole("menuitem", { name: say(info, "My notifications", "我的通知") })).toBeVisible();
  await page.getByRole("menuitem", { name: say(info, "Reviews", "评审") }).click();
  await expect(page.getByRole("button", { name: say(info, "Request a review", "发起评审") })).toBeDisabled();
  await page.getByRole("menuitem", { name: say(info, "Directives", "整改指令") }).click();
  await expect(page.getByRole("button", { name: say(info, "Mark done", "标记为完成") }).first()).toBeDisabled();
  await expectAccessible(page);

  // the server refuses what the shell hides: the same request, sent by hand with his session
  const refused = await page.evaluate(async () => {
    // the session cookie goes with the request; the page's CSRF token must be sent back
    const csrf = document.cookie.split("; ").find((c) => c.startsWith("ipgov_csrf="))!.split("=")[1];
    const headers = { "content-type": "application/json", "x-ipgov-csrf": csrf };
    const tenants = await (await fetch("/graphql", { method: "POST", headers,
      body: JSON.stringify({ query: "{ tenants(first: 5) { nodes { id slug } } }" }) })).json();
    const tenantId = tenants.data.tenants.nodes.find((t: { slug: string }) => t.slug === "hanwei-semiconductor").id;
    const answer = await (await fetch("/graphql", { method: "POST", headers,
      body: JSON.stringify({ query: "mutation($t: ID!) { requestReview(tenantId: $t) { run { id } errors { code message } } }",
      variables: { t: tenantId } }) })).json();
    return answer;
  });
  const codes = JSON.stringify(refused);
  expect(codes).toMatch(/FORBIDDEN/);
  expect(refused.data?.requestReview?.run ?? null).toBeNull();
  expect(problems).toEqual([]);
});
