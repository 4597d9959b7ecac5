// ipgov account page: accept an invitation, reset a password, ask for a reset link.
// The link's secret is read from the URL fragment and removed from the address bar at once;
// after signing in, the session is the workspace's too (HttpOnly cookies set by the server).

const LANG_KEY = "ipgov.supervision.lang";
const SESSION = "userId errors { code message }";

const LABELS = {
  en: {
    title: "Your account", language: "Language", acceptTitle: "Accept your invitation",
    acceptHint: "Choose a password of at least 10 characters to sign in.",
    displayName: "Your name", newPassword: "New password", confirm: "Repeat the password",
    accept: "Accept and sign in", signInTitle: "Sign in to accept",
    signInHint: "This address already has an account: sign in to add the new role to it.",
    email: "Email", password: "Password", signInAccept: "Sign in and accept",
    resetTitle: "Choose a new password", save: "Save and sign in",
    forgotTitle: "Forgot your password?", send: "Send me a link",
    continue: "Continue to the platform", mismatch: "The two passwords differ.",
    accepted: "Welcome: the invitation is accepted and you are signed in.",
    acceptedRole: "The invitation is accepted: the new role is yours.",
    resetDone: "Your password is changed and you are signed in; other sessions were ended.",
    secondStep: "Your password is changed; other sessions were ended. Continue and sign in with it and your second factor.",
    acceptedSecondStep: "The invitation is accepted. Continue and sign in with your password and your second factor.",
    signInFirst: "This account has a second factor: sign in to the platform first, then open the link again.",
    sent: "If the address has an account, a link is on its way. It works once, for an hour.",
    network: "The server could not be reached.", errorPrefix: "Error",
  },
  zh: {
    title: "我的账户", language: "语言", acceptTitle: "接受邀请",
    acceptHint: "请设置至少 10 个字符的密码以登录。", displayName: "您的姓名",
    newPassword: "新密码", confirm: "再次输入密码", accept: "接受并登录",
    signInTitle: "登录后接受邀请", signInHint: "该邮箱已有账户：请登录，将新角色添加到该账户。",
    email: "电子邮箱", password: "密码", signInAccept: "登录并接受",
    resetTitle: "设置新密码", save: "保存并登录", forgotTitle: "忘记密码？",
    send: "发送重置链接", continue: "进入平台", mismatch: "两次输入的密码不一致。",
    accepted: "欢迎：邀请已接受，您已登录。", acceptedRole: "邀请已接受：新角色已添加到您的账户。",
    resetDone: "密码已修改，您已登录；其他会话已结束。",
    secondStep: "密码已修改，其他会话已结束。请继续，使用新密码和第二因素登录。",
    acceptedSecondStep: "邀请已接受。请继续，使用密码和第二因素登录。",
    signInFirst: "该账户已启用第二因素：请先登录平台，再重新打开此链接。",
    sent: "如果该邮箱有账户，重置链接即将发送。链接仅可使用一次，一小时内有效。",
    network: "无法连接服务器。", errorPrefix: "错误",
  },
};

const $ = (id) => document.getElementById(id);
const state = { lang: "en", kind: "", secret: "" };

function t(key) { return (LABELS[state.lang] || LABELS.en)[key] || LABELS.en[key] || key; }

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `ipgov · ${t("title")}`;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").value = state.lang;
}

function showError(err) {
  const box = $("error");
  if (!err) { box.hidden = true; box.textContent = ""; return; }
  box.textContent = `${t("errorPrefix")} — ${err.code ? `${err.code}: ` : ""}${err.message}`;
  box.hidden = false;
}

// The session lives in HttpOnly cookies shared with the workspace (web/cookies.py): this page
// asks for it with X-IPGOV-Session and sends back the CSRF token the server put in a cookie.
function csrfToken() {
  const found = document.cookie.split("; ").find((c) => /^(__Host-)?ipgov_csrf=/.test(c));
  return found ? found.slice(found.indexOf("=") + 1) : null;
}

async function gql(query, variables = {}) {
  const headers = { "content-type": "application/json", "x-ipgov-session": "cookie",
    "accept-language": state.lang === "zh" ? "zh-CN" : "en" };
  const csrf = csrfToken();
  if (csrf) headers["x-ipgov-csrf"] = csrf;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, credentials: "same-origin",
      cache: "no-store", body: JSON.stringify({ query, variables }) });
  } catch { throw { code: "NETWORK", message: t("network") }; }
  const body = await response.json();
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    throw { code: (e.extensions && e.extensions.code) || "ERROR", message: e.message };
  }
  return body.data;
}

function firstError(payload) {
  return payload.errors && payload.errors.length ? payload.errors[0] : null;
}

function finish(text) {
  for (const id of ["invitation", "signin", "reset", "forgot"]) $(id).hidden = true;
  $("done-text").textContent = text;
  $("done").hidden = false;
  showError(null);
}

function samePasswords(a, b) {
  if ($(a).value === $(b).value) return true;
  showError({ message: t("mismatch") });
  return false;
}

async function accept(event) {
  event.preventDefault();
  if (!samePasswords("new-password", "confirm")) return;
  try {
    const data = await gql(`mutation($k: String!, $p: String, $n: String) {
      acceptInvitation(token: $k, password: $p, displayName: $n) {
        role session { ${SESSION} } errors { code message } } }`,
    { k: state.secret, p: $("new-password").value, n: $("display-name").value || null });
    const result = data.acceptInvitation;
    const problem = firstError(result);
    if (problem && problem.code === "INVITATION_SIGN_IN_REQUIRED") {
      $("invitation").hidden = true; $("signin").hidden = false; showError(problem); return;
    }
    if (problem) { showError(problem); return; }
    finish(t(result.session && !result.session.userId ? "acceptedSecondStep" : "accepted"));
  } catch (err) { showError(err); }
}

async function signInAndAccept(event) {
  event.preventDefault();
  try {
    const login = (await gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${SESSION} } }`,
      { e: $("email").value.trim(), p: $("password").value })).login;
    if (firstError(login)) { showError(firstError(login)); return; }
    if (!login.userId) { showError({ message: t("signInFirst") }); return; } // a second factor
    const result = (await gql(`mutation($k: String!) { acceptInvitation(token: $k) { role errors { code message } } }`,
      { k: state.secret })).acceptInvitation;
    if (firstError(result)) { showError(firstError(result)); return; }
    finish(t("acceptedRole"));
  } catch (err) { showError(err); }
}

async function reset(event) {
  event.preventDefault();
  if (!samePasswords("reset-password", "reset-confirm")) return;
  try {
    const result = (await gql(`mutation($k: String!, $p: String!) { resetPassword(token: $k, newPassword: $p) { ${SESSION} } }`,
      { k: state.secret, p: $("reset-password").value })).resetPassword;
    if (firstError(result)) { showError(firstError(result)); return; }
    finish(t(result.userId ? "resetDone" : "secondStep")); // no session yet: the second factor
  } catch (err) { showError(err); }
}

async function forgot(event) {
  event.preventDefault();
  try {
    const result = (await gql(`mutation($e: String!) { requestPasswordReset(email: $e) { ok errors { code message } } }`,
      { e: $("forgot-email").value.trim() })).requestPasswordReset;
    if (firstError(result)) { showError(firstError(result)); return; }
    finish(t("sent"));
  } catch (err) { showError(err); }
}

function init() {
  const saved = sessionStorage.getItem(LANG_KEY);
  state.lang = saved || ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
  const match = /^#(invitation|reset)=([A-Za-z0-9_-]{20,200})$/.exec(location.hash);
  if (match) {
    [, state.kind, state.secret] = match;
    history.replaceState(null, "", location.pathname); // the secret leaves the address bar
  }
  $({ invitation: "invitation", reset: "reset" }[state.kind] || "forgot").hidden = false;
  $("lang").addEventListener("change", () => {
    state.lang = $("lang").value === "zh" ? "zh" : "en";
    sessionStorage.setItem(LANG_KEY, state.lang);
    applyLanguage();
  });
  $("invitation-form").addEventListener("submit", accept);
  $("signin-form").addEventListener("submit", signInAndAccept);
  $("reset-form").addEventListener("submit", reset);
  $("forgot-form").addEventListener("submit", forgot);
  window.addEventListener("hashchange", () => location.reload()); // another link pasted
  applyLanguage();
}

init();
