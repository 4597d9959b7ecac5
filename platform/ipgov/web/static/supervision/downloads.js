// Links to the exports and reports, opened by the browser itself (no bearer header needed).
// The API signs each link for this user, this path and a few minutes (downloadLinks); a link
// about to expire is signed again when it is clicked. Nothing here stores a token.

const LABELS = {
  en: { exports: "Exports", reports: "Reports", csv: "Download CSV", report: "Printable report",
        forgot: "Forgot your password?", none: "No reports for this tenant." },
  zh: { exports: "导出", reports: "报告", csv: "下载 CSV", report: "打印版报告",
        forgot: "忘记密码？", none: "该租户暂无报告。" },
};
const FRESH_MS = 30_000; // sign again when less than this is left
const SUPERVISION = `query { downloadLinks { title path url expiresAt } }`;
const TENANT = `query($t: ID!) { downloadLinks(tenantId: $t) { title path url expiresAt } }`;

let current = { lang: "en", gql: null, query: () => ({}) };

function label(key) {
  return (LABELS[current.lang] || LABELS.en)[key] || LABELS.en[key];
}

function withQuery(url, params) {
  const extra = Object.entries(params).filter(([, v]) => v)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return extra.length ? `${url}&${extra.join("&")}` : url;
}

function anchor(link, text, params, opts = {}) {
  const a = document.createElement("a");
  a.textContent = text;
  a.dataset.path = link.path;
  a.dataset.expires = String(Date.parse(link.expiresAt));
  a.dataset.tenant = opts.tenant || "";
  a.href = withQuery(link.url, params());
  if (opts.download) a.setAttribute("download", "");
  else { a.target = "_blank"; a.rel = "noopener noreferrer"; }
  a.addEventListener("click", (event) => refreshIfStale(event, a, params));
  return a;
}

// A link opened after it expired would answer 401: sign it again first, then navigate.
async function refreshIfStale(event, a, params) {
  a.href = withQuery(a.href.split("&")[0], params()); // current filters and language
  if (Number(a.dataset.expires) - Date.now() > FRESH_MS) return;
  event.preventDefault();
  const data = a.dataset.tenant ? await current.gql(TENANT, { t: a.dataset.tenant })
    : await current.gql(SUPERVISION);
  const fresh = data.downloadLinks.find((l) => l.path === a.dataset.path);
  if (!fresh) return;
  a.dataset.expires = String(Date.parse(fresh.expiresAt));
  a.href = withQuery(fresh.url, params());
  location.assign(a.href);
}

const langParam = () => (current.lang === "zh" ? "zh-CN" : "en");

/** The supervision exports under the heatmap (CSV follows the root-group filter). */
export async function renderExports(gql, lang, filters) {
  current = { ...current, gql, lang };
  const box = document.getElementById("downloads");
  const data = await gql(SUPERVISION);
  const links = Object.fromEntries(data.downloadLinks.map((l) => [l.path, l]));
  const params = () => ({ rootId: filters().root || "", lang: langParam() });
  const parts = [];
  if (links["/supervision/export.csv"]) {
    parts.push(anchor(links["/supervision/export.csv"], label("csv"), params, { download: true }));
  }
  if (links["/supervision/report"]) parts.push(anchor(links["/supervision/report"], label("report"), params));
  const head = document.createElement("strong");
  head.textContent = `${label("exports")}: `;
  box.replaceChildren(head, ...parts.flatMap((p, i) => (i ? [" · ", p] : [p])));
  box.hidden = !parts.length;
}

/** A tenant's reports (every report route of its enabled plugins) in the drill-down. */
export async function renderTenantReports(gql, lang, tenantId) {
  current = { ...current, gql, lang };
  const box = document.getElementById("detail-downloads");
  box.replaceChildren();
  const data = await gql(TENANT, { t: tenantId });
  const head = document.createElement("h3");
  head.textContent = label("reports");
  const list = document.createElement("ul");
  for (const link of data.downloadLinks) {
    const item = document.createElement("li");
    item.append(anchor(link, link.title, () => ({ lang: langParam() }),
      { tenant: tenantId, download: !link.path.endsWith("report") }));
    list.append(item);
  }
  if (!data.downloadLinks.length) {
    const none = document.createElement("p");
    none.textContent = label("none");
    box.replaceChildren(head, none);
  } else box.replaceChildren(head, list);
}

/** Forget every link (sign-out, another tenant selected). */
export function clearDownloads() {
  for (const id of ["downloads", "detail-downloads"]) {
    const box = document.getElementById(id);
    if (box) box.replaceChildren();
  }
  const box = document.getElementById("downloads");
  if (box) box.hidden = true;
}

/** Labels of the elements this module owns, in the page's language. */
export function applyDownloadLabels(lang) {
  current = { ...current, lang };
  for (const node of document.querySelectorAll("[data-dl-i18n]")) node.textContent = label(node.dataset.dlI18n);
}
