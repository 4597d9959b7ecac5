// ipgov supervision dashboard: plain ES module, talks only to the public GraphQL API.
// The session (access and refresh token) lives in sessionStorage; nothing else is stored but
// the language choice. Exports and reports open through signed links (downloads.js).
import { applyDownloadLabels, clearDownloads, renderExports, renderTenantReports } from "./downloads.js";

const FUNCTIONS = ["govern", "identify", "protect", "operate", "monitor", "respond", "recover"];
const SEVERITIES = ["critical", "high", "medium", "low", "info"];
const PAGE = 250; // the API's maximum heatmap page: 200 subsidiaries in one request
const TOKEN_KEY = "ipgov.supervision.token";
const REFRESH_KEY = "ipgov.supervision.refresh";
const LANG_KEY = "ipgov.supervision.lang";

const LABELS = {
  en: {
    skip: "Skip to content", title: "Supervision", language: "Language", signIn: "Sign in",
    signOut: "Sign out", email: "Email", password: "Password",
    heatmap: "Governance heatmap", heatmapCaption: "Latest score per tenant and function",
    rootGroup: "Root group", function: "Function", severity: "Severity", all: "All",
    tenant: "Tenant", openFindings: "Open findings", overdue: "Overdue directives",
    auditTrail: "Audit trail", notAssessed: "not assessed", ok: "OK", broken: "✗ broken",
    govern: "Govern", identify: "Identify", protect: "Protect", operate: "Operate",
    monitor: "Monitor", respond: "Respond", recover: "Recover",
    critical: "critical", high: "high", medium: "medium", low: "low", info: "info",
    legend: "Score bands:", good: "≥ 90 good", fair: "75–89 fair", weak: "50–74 weak",
    poor: "< 50 poor", partial: "n/m: checks assessed of those that apply",
    coverageCell: "{a}/{n} checks", loading: "Loading…", loaded: "{n} tenants loaded",
    findings: "Findings (latest review)", directives: "Open directives", trend: "Score trend",
    trendCaption: "Overall score of the last reviews, oldest first",
    noTrend: "No finished reviews yet.", none: "None.", title_: "Title", domain: "Domain",
    recommendation: "Recommendation", references: "References", action: "Action",
    owner: "Owner role", due: "Due",
    status: "Status", seq: "#", time: "Time", actor: "Actor", event: "Action",
    object: "Object", verified: "Hash chain verified: {n} events, intact.",
    tampered: "Hash chain verification FAILED at event {seq}: {problem}",
    detailOf: "Tenant: {name}", close: "Close", overall: "Overall", events: "events",
    missingFields: "Enter your email and password.", signedOut: "Signed out.",
    sessionExpired: "Your session has expired; sign in again.",
    network: "The server could not be reached.", errorPrefix: "Error",
    selectHint: "Select a tenant row (click, or Tab to it and press Enter) to see its details.",
    depthLabel: "level {d}",
  },
  zh: {
    skip: "跳到正文", title: "监督", language: "语言", signIn: "登录", signOut: "退出登录",
    email: "电子邮箱", password: "密码", heatmap: "治理热力图",
    heatmapCaption: "各租户各职能的最新评分", rootGroup: "根集团", function: "职能",
    severity: "严重程度", all: "全部", tenant: "租户", openFindings: "未关闭发现",
    overdue: "逾期指令", auditTrail: "审计链", notAssessed: "未评估", ok: "正常",
    broken: "✗ 已损坏", govern: "治理", identify: "识别", protect: "保护", operate: "运营",
    monitor: "监测", respond: "响应", recover: "恢复", critical: "严重", high: "高",
    medium: "中", low: "低", info: "提示", legend: "评分区间：", good: "≥ 90 良好",
    fair: "75–89 一般", weak: "50–74 较弱", poor: "< 50 差",
    partial: "n/m：适用检查中已评估的项数", coverageCell: "{a}/{n} 项检查", loading: "加载中…",
    loaded: "已加载 {n} 个租户", findings: "发现（最新评审）", directives: "未完成指令",
    trend: "评分趋势", trendCaption: "最近几次评审的总分，从旧到新",
    noTrend: "尚无已完成的评审。", none: "无。", title_: "标题", domain: "领域",
    recommendation: "建议", references: "依据", action: "措施", owner: "负责角色", due: "截止",
    status: "状态",
    seq: "序号", time: "时间", actor: "操作者", event: "操作", object: "对象",
    verified: "哈希链已验证：{n} 条事件，完整。",
    tampered: "哈希链验证失败，位于事件 {seq}：{problem}", detailOf: "租户：{name}",
    close: "关闭", overall: "总分", events: "条事件",
    missingFields: "请输入电子邮箱和密码。", signedOut: "已退出登录。",
    sessionExpired: "会话已过期，请重新登录。", network: "无法连接服务器。",
    errorPrefix: "错误", selectHint: "选择一个租户行（单击，或用 Tab 键移到该行后按 Enter）查看详情。",
    depthLabel: "第 {d} 级",
  },
};

const $ = (id) => document.getElementById(id);
const state = {
  lang: "en", tenants: [], rows: new Map(), order: [], selected: null,
  filters: { root: "", fn: "", severity: "" }, detailSeq: 0, overviewSeq: 0,
};

function t(key, vars = {}) {
  const s = (LABELS[state.lang] && LABELS[state.lang][key]) ?? LABELS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(message, code) { super(message); this.code = code; }
}

// An expired access token is renewed once with the refresh token (rotated), then retried.
let refreshing = null;
async function renewSession() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (!refresh) return false;
  refreshing = refreshing || fetch("/graphql", {
    method: "POST", headers: { "content-type": "application/json" }, credentials: "omit",
    body: JSON.stringify({ query: "mutation($r: String!) { refreshSession(refreshToken: $r) { token refreshToken } }",
      variables: { r: refresh } }),
  }).then((r) => r.json()).then((b) => {
    const s = b.data && b.data.refreshSession;
    if (!s || !s.token) return false;
    sessionStorage.setItem(TOKEN_KEY, s.token);
    sessionStorage.setItem(REFRESH_KEY, s.refreshToken);
    return true;
  }).catch(() => false).finally(() => { refreshing = null; });
  return refreshing;
}

async function gql(query, variables = {}, retried = false) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { "content-type": "application/json", accept: "application/json",
    "accept-language": state.lang === "zh" ? "zh-CN" : "en" };
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST", headers, body: JSON.stringify({ query, variables }),
      credentials: "omit", cache: "no-store",
    });
  } catch {
    throw new ApiError(t("network"), "NETWORK");
  }
  if (response.status === 401 && !retried && token && await renewSession()) {
    return gql(query, variables, true);
  }
  if (response.status === 401) {
    signOut(t("sessionExpired"));
    throw new ApiError(t("sessionExpired"), "UNAUTHENTICATED");
  }
  let body;
  try { body = await response.json(); } catch { throw new ApiError(`HTTP ${response.status}`, "HTTP"); }
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    const code = (e.extensions && e.extensions.code) || "ERROR";
    throw new ApiError(e.message, code);
  }
  return body.data;
}

// ---------------------------------------------------------------- messages

function showError(err) {
  const box = $("error");
  if (!err) { box.hidden = true; box.textContent = ""; return; }
  const code = err.code ? `${err.code}: ` : "";
  box.textContent = `${t("errorPrefix")} — ${code}${err.message || err}`;
  box.hidden = false;
}

function status(text) { $("status").textContent = text || ""; }

// ---------------------------------------------------------------- language

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `ipgov · ${t("title")}`;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").value = state.lang;
  applyDownloadLabels(state.lang);
  fillFilterOptions();
  renderLegend();
  renderHeatmap();
  if (state.detail) renderDetail(state.detail);
}

// ---------------------------------------------------------------- sign in / out

async function signIn(event) {
  event.preventDefault();
  showError(null);
  const email = $("email").value.trim();
  const password = $("password").value;
  if (!email || !password) { showError({ message: t("missingFields") }); return; }
  try {
    const data = await gql(
      "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token refreshToken errors { code message } } }",
      { e: email, p: password });
    const result = data.login;
    if (!result.token) {
      const e = (result.errors && result.errors[0]) || { code: "ERROR", message: "sign-in failed" };
      showError(e);
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, result.token);
    sessionStorage.setItem(REFRESH_KEY, result.refreshToken);
    $("password").value = "";
    await start();
  } catch (err) { showError(err); }
}

// Signing out forgets the session here at once, and ends it on the server (every API then
// refuses its tokens and links).
async function endSession() {
  // The server ends the session (and every download link signed for it) before the page
  // shows the sign-in form, so "signed out" on screen is true of the links too; an
  // unreachable server still signs the page out after a bounded wait.
  const token = sessionStorage.getItem(TOKEN_KEY);
  $("signout").disabled = true;
  if (token) {
    await fetch("/graphql", {
      method: "POST", credentials: "omit", cache: "no-store",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "mutation { signOut { ok } }" }),
      signal: AbortSignal.timeout(10000),
    }).catch(() => {});
  }
  $("signout").disabled = false;
  signOut(t("signedOut"));
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  clearDownloads();
  state.tenants = []; state.rows = new Map(); state.order = []; state.detail = null;
  state.selected = null;
  $("heatmap").tBodies[0].replaceChildren();
  $("detail").hidden = true; $("detail-body").replaceChildren();
  $("dashboard").hidden = true; $("signout").hidden = true; $("signin").hidden = false;
  if (typeof message === "string") status(message);
}

// ---------------------------------------------------------------- data

const TENANT_FIELDS = "id slug name parentId depth";

async function loadTenants() {
  const all = [];
  let after = null;
  do {
    const data = await gql(
      `query($first: Int!, $after: String) { supervisionTenants(first: $first, after: $after) {
         edges { node { ${TENANT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { first: PAGE, after });
    const conn = data.supervisionTenants;
    for (const e of conn.edges) all.push(e.node);
    after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
  } while (after);
  state.tenants = all;
  state.order = treeOrder(all);
}

// Depth-first order (children by slug under their parent), so that indentation reads as a tree.
function treeOrder(tenants) {
  const byId = new Map(tenants.map((x) => [x.id, x]));
  const kids = new Map();
  const roots = [];
  for (const x of [...tenants].sort((a, b) => a.slug.localeCompare(b.slug))) {
    if (x.parentId && byId.has(x.parentId)) {
      if (!kids.has(x.parentId)) kids.set(x.parentId, []);
      kids.get(x.parentId).push(x);
    } else roots.push(x);
  }
  const out = [];
  const walk = (x, level) => { out.push({ ...x, level }); for (const c of kids.get(x.id) || []) walk(c, level + 1); };
  roots.forEach((r) => walk(r, 0));
  return out;
}

const OVERVIEW = `query($first: Int!, $after: String, $rootId: ID, $functions: [String!], $severities: [String!]) {
  supervisionOverview(first: $first, after: $after, rootId: $rootId, functions: $functions, severities: $severities) {
    edges { node {
      tenant { ${TENANT_FIELDS} } latestFinishedAt
      functionScores { key score assessment assessedChecks applicableChecks summary }
      trend { runId finishedAt overall coverage }
      openFindings { severity count } overdueDirectives
      auditTrail { ok events firstBadSeq problem } } }
    pageInfo { hasNextPage endCursor } } }`;

async function loadOverview() {
  const seq = ++state.overviewSeq;
  const f = state.filters;
  const vars = {
    first: PAGE, rootId: f.root || null, functions: f.fn ? [f.fn] : null,
    severities: f.severity ? [f.severity] : null,
  };
  status(t("loading"));
  const rows = new Map();
  let after = null;
  do {
    const data = await gql(OVERVIEW, { ...vars, after });
    if (seq !== state.overviewSeq) return; // a newer filter change won
    const conn = data.supervisionOverview;
    for (const e of conn.edges) rows.set(e.node.tenant.id, e.node);
    after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
  } while (after);
  state.rows = rows;
  renderHeatmap();
  status(t("loaded", { n: rows.size }));
}

// ---------------------------------------------------------------- heatmap

function band(score) {
  if (score === null || score === undefined || Number.isNaN(Number(score))) return "none";
  const v = Number(score);
  return v >= 90 ? "good" : v >= 75 ? "ok" : v >= 50 ? "warn" : "bad";
}

const fmt = (v) => Number(v).toFixed(1);

function renderLegend() {
  const legend = $("legend");
  legend.replaceChildren(t("legend"), " ",
    el("span", { class: "score good", text: t("good") }),
    el("span", { class: "score ok", text: t("fair") }),
    el("span", { class: "score warn", text: t("weak") }),
    el("span", { class: "score bad", text: t("poor") }),
    el("span", { class: "score none", text: t("notAssessed") }),
    el("span", { class: "score partial", text: t("partial") }));
}

function fillFilterOptions() {
  const root = $("f-root");
  const groups = state.order.filter((x) => x.level === 0 || state.order.some((y) => y.parentId === x.id));
  root.replaceChildren(el("option", { value: "", text: t("all") }),
    ...groups.map((x) => el("option", { value: x.id, text: `${"\u00a0\u00a0".repeat(x.level)}${x.name}` })));
  root.value = state.filters.root;
  $("f-function").replaceChildren(el("option", { value: "", text: t("all") }),
    ...FUNCTIONS.map((f) => el("option", { value: f, text: t(f) })));
  $("f-function").value = state.filters.fn;
  $("f-severity").replaceChildren(el("option", { value: "", text: t("all") }),
    ...SEVERITIES.map((s) => el("option", { value: s, text: t(s) })));
  $("f-severity").value = state.filters.severity;
}

function renderHeatmap() {
  const table = $("heatmap");
  const fns = state.filters.fn ? [state.filters.fn] : FUNCTIONS;
  const sevs = state.filters.severity ? [state.filters.severity] : SEVERITIES.slice(0, 4);
  const head = el("tr", {}, el("th", { scope: "col", rowspan: 2, text: t("tenant") }));
  for (const f of fns) head.append(el("th", { scope: "col", rowspan: 2, text: t(f) }));
  head.append(el("th", { scope: "colgroup", colspan: sevs.length, text: t("openFindings") }),
    el("th", { scope: "col", rowspan: 2, text: t("overdue") }),
    el("th", { scope: "col", rowspan: 2, text: t("auditTrail") }));
  const head2 = el("tr", {}, ...sevs.map((s) => el("th", { scope: "col", text: t(s) })));
  table.tHead.replaceChildren(head, head2);

  const frag = document.createDocumentFragment();
  for (const x of state.order) {
    const row = state.rows.get(x.id);
    if (!row) continue; // filtered out by the root group
    const tr = el("tr", { tabindex: 0, "data-tenant": x.id, "data-slug": x.slug,
      "aria-current": state.selected === x.id ? "true" : null });
    const th = el("th", { scope: "row" }, x.name, " ", el("span", { class: "slug", text: `(${x.slug})` }));
    th.style.paddingLeft = `${0.5 + x.level * 1.25}rem`; // CSSOM: allowed by the CSP
    tr.append(th);
    const scores = Object.fromEntries((row.functionScores || []).map((d) => [d.key, d]));
    for (const f of fns) tr.append(scoreCell(f, scores[f]));
    const counts = Object.fromEntries((row.openFindings || []).map((c) => [c.severity, c.count]));
    for (const s of sevs) tr.append(el("td", { class: "num", text: counts[s] || 0 }));
    tr.append(el("td", { class: "num", text: row.overdueDirectives }));
    const a = row.auditTrail;
    tr.append(el("td", {}, a.ok ? el("span", { class: "ok-mark", text: `✓ ${t("ok")}` })
      : el("span", { class: "bad-mark", text: t("broken") })));
    frag.append(tr);
  }
  table.tBodies[0].replaceChildren(frag);
}

// A score with what it rests on: the value, "assessed/applicable checks" under it, the server's
// sentence as a tooltip; a function nothing could assess says so instead of showing a number.
function scoreCell(fn, d) {
  const v = d ? d.score : null;
  const b = band(v);
  const partial = d && d.assessment === "partial";
  const cell = el("td", { class: `score ${b}${partial ? " partial" : ""}`, "data-function": fn,
    "data-assessment": d ? d.assessment : "not_assessed", title: d ? d.summary : null });
  cell.append(b === "none" ? t("notAssessed") : fmt(v));
  if (d && d.assessedChecks !== null && d.applicableChecks) {
    cell.append(el("small", { class: "coverage",
      text: t("coverageCell", { a: d.assessedChecks, n: d.applicableChecks }) }));
  }
  return cell;
}

function onRowActivate(event) {
  const tr = event.target.closest("tr[data-tenant]");
  if (!tr) return;
  if (event.type === "keydown" && event.key !== "Enter" && event.key !== " ") return;
  event.preventDefault();
  location.hash = `tenant=${encodeURIComponent(tr.dataset.tenant)}`;
}

// ---------------------------------------------------------------- drill-down

const DETAIL = `query($t: ID!) {
  supervisionTenantDetail(tenantId: $t, findingsFirst: 100) {
    tenant { ${TENANT_FIELDS} }
    latestRun { id finishedAt scores }
    findings { edges { node { id functionLabel domainLabel severity severityLabel title
                              recommendation references } } }
    openDirectives { id action ownerRole severity severityLabel functionLabel dueAt
                     statusLabel }
  }
  supervisionAuditTrail(tenantId: $t, first: 100) {
    events { edges { node { seq occurredAt actor action objectType objectId } } }
    verification { ok events firstBadSeq problem }
  } }`;

function selectedFromHash() {
  const m = /(?:^|[#&])tenant=([^&]+)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

async function loadDetail() {
  const id = selectedFromHash();
  const seq = ++state.detailSeq;
  state.detail = null;
  state.selected = id;
  $("detail-body").replaceChildren(); // never leave another tenant's data on screen
  $("detail-downloads").replaceChildren();
  $("detail-h").textContent = "";
  for (const tr of $("heatmap").tBodies[0].rows) {
    if (tr.dataset.tenant === id) tr.setAttribute("aria-current", "true");
    else tr.removeAttribute("aria-current");
  }
  if (!id) { $("detail").hidden = true; return; }
  $("detail").hidden = false;
  showError(null);
  status(t("loading"));
  try {
    const data = await gql(DETAIL, { t: id });
    if (seq !== state.detailSeq) return;
    state.detail = { ...data, id };
    renderDetail(state.detail);
    await renderTenantReports(gql, state.lang, id);
    status("");
    $("detail-h").focus();
  } catch (err) {
    if (seq !== state.detailSeq) return;
    $("detail").hidden = true;
    status("");
    showError(err);
  }
}

function simpleTable(caption, columns, rows) {
  if (!rows.length) return el("p", { text: t("none") });
  const thead = el("thead", {}, el("tr", {}, ...columns.map(([, label]) => el("th", { scope: "col", text: label }))));
  const frag = document.createDocumentFragment();
  for (const r of rows) frag.append(el("tr", {}, ...columns.map(([key]) => el("td", { text: r[key] ?? "" }))));
  return el("table", {}, el("caption", { text: caption }), thead, el("tbody", {}, frag));
}

const when = (iso) => (iso ? new Date(iso).toLocaleString(state.lang === "zh" ? "zh-CN" : "en") : "");

function trendChart(points) {
  const ns = "http://www.w3.org/2000/svg";
  const W = 480, H = 180, L = 40, R = 16, T = 16, B = 30;
  const pts = points.filter((p) => p.overall !== null && p.overall !== undefined);
  if (!pts.length) return el("p", { text: t("noTrend") });
  const svg = document.createElementNS(ns, "svg");
  const s = (node, attrs) => { for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v); return node; };
  s(svg, { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "trend", role: "img",
    "aria-label": `${t("trend")}: ${pts.map((p) => fmt(p.overall)).join(", ")}` });
  const title = document.createElementNS(ns, "title");
  title.textContent = t("trendCaption");
  svg.append(title);
  const x = (i) => L + (pts.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (pts.length - 1));
  const y = (v) => T + ((100 - v) * (H - T - B)) / 100;
  for (const v of [0, 50, 100]) {
    svg.append(s(document.createElementNS(ns, "line"), { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#8a8a8a", "stroke-dasharray": "3 3" }));
    const lab = s(document.createElementNS(ns, "text"), { x: L - 6, y: y(v) + 4, "text-anchor": "end" });
    lab.textContent = String(v);
    svg.append(lab);
  }
  svg.append(s(document.createElementNS(ns, "polyline"), {
    points: pts.map((p, i) => `${x(i)},${y(p.overall)}`).join(" "), fill: "none", stroke: "#0b57d0", "stroke-width": 2 }));
  pts.forEach((p, i) => {
    svg.append(s(document.createElementNS(ns, "circle"), { cx: x(i), cy: y(p.overall), r: 3.5, fill: "#0b57d0" }));
    const v = s(document.createElementNS(ns, "text"), { x: x(i), y: y(p.overall) - 7, "text-anchor": "middle" });
    v.textContent = fmt(p.overall);
    const d = s(document.createElementNS(ns, "text"), { x: x(i), y: H - 10, "text-anchor": "middle" });
    d.textContent = p.finishedAt ? p.finishedAt.slice(5, 10) : "";
    svg.append(v, d);
  });
  return svg;
}

function renderDetail(detail) {
  const d = detail.supervisionTenantDetail;
  const audit = detail.supervisionAuditTrail;
  $("detail-h").textContent = t("detailOf", { name: `${d.tenant.name} (${d.tenant.slug})` });
  const frag = document.createDocumentFragment();
  // labels come from the server in the reader's language (functionLabel, domainLabel, ...)
  const findings = d.findings.edges.map((e) => ({ ...e.node, references: (e.node.references || []).join(", ") }));
  frag.append(el("h3", { text: t("findings") }),
    simpleTable(t("findings"), [["severityLabel", t("severity")], ["functionLabel", t("function")],
      ["domainLabel", t("domain")], ["title", t("title_")], ["recommendation", t("recommendation")],
      ["references", t("references")]], findings));
  frag.append(el("h3", { text: t("directives") }),
    simpleTable(t("directives"), [["severityLabel", t("severity")], ["functionLabel", t("function")],
      ["action", t("action")], ["ownerRole", t("owner")], ["dueAt", t("due")], ["statusLabel", t("status")]],
    d.openDirectives.map((x) => ({ ...x, dueAt: when(x.dueAt) }))));
  const row = state.rows.get(detail.id);
  frag.append(el("h3", { text: t("trend") }), trendChart(row ? row.trend : []));
  const v = audit.verification;
  frag.append(el("h3", { text: t("auditTrail") }),
    el("p", { class: v.ok ? "ok-mark" : "bad-mark", "data-verification": v.ok ? "ok" : "failed",
      text: v.ok ? `✓ ${t("verified", { n: v.events })}` : t("tampered", { seq: v.firstBadSeq ?? "?", problem: v.problem }) }),
    simpleTable(t("auditTrail"), [["seq", t("seq")], ["occurredAt", t("time")], ["actor", t("actor")],
      ["action", t("event")], ["object", t("object")]],
    audit.events.edges.map((e) => ({ ...e.node, occurredAt: when(e.node.occurredAt),
      object: `${e.node.objectType}:${e.node.objectId}` }))));
  $("detail-body").replaceChildren(frag);
}

// ---------------------------------------------------------------- start

async function start() {
  if (!sessionStorage.getItem(TOKEN_KEY)) { signOut(); return; }
  $("signin").hidden = true; $("dashboard").hidden = false; $("signout").hidden = false;
  showError(null);
  try {
    await adoptStoredLanguage();
    await loadTenants();
    fillFilterOptions();
    await loadOverview();
    await renderExports(gql, state.lang, () => state.filters);
  } catch (err) { showError(err); return; }
  $("heatmap").setAttribute("aria-describedby", "legend");
  if (!selectedFromHash()) status(t("selectHint"));
  await loadDetail();
}

// The user's stored preference (setMyLocale) wins over the browser; switching stores it.
async function adoptStoredLanguage() {
  const data = await gql("{ me { locale } }");
  const stored = data && data.me ? data.me.locale : "";
  if (stored) {
    state.lang = stored.toLowerCase().startsWith("zh") ? "zh" : "en";
    sessionStorage.setItem(LANG_KEY, state.lang);
    applyLanguage();
  }
}

function storeLanguage() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  gql("mutation($l: String) { setMyLocale(locale: $l) { locale errors { code } } }",
      { l: state.lang === "zh" ? "zh-CN" : "en" }).catch(() => {});
}

function init() {
  const saved = sessionStorage.getItem(LANG_KEY);
  state.lang = saved || ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
  $("lang").addEventListener("change", () => {
    state.lang = $("lang").value === "zh" ? "zh" : "en";
    sessionStorage.setItem(LANG_KEY, state.lang);
    applyLanguage();
    storeLanguage();
    if (sessionStorage.getItem(TOKEN_KEY)) start();  // data labels come from the server too
  });
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", async () => { await endSession(); showError(null); $("email").focus(); });
  const onFilter = (key, id) => $(id).addEventListener("change", () => {
    state.filters[key] = $(id).value;
    loadOverview().catch(showError);
  });
  onFilter("root", "f-root"); onFilter("fn", "f-function"); onFilter("severity", "f-severity");
  const body = $("heatmap").tBodies[0];
  body.addEventListener("click", onRowActivate);
  body.addEventListener("keydown", onRowActivate);
  window.addEventListener("hashchange", () => {
    if (sessionStorage.getItem(TOKEN_KEY)) loadDetail();
  });
  applyLanguage();
  start();
}

init();
