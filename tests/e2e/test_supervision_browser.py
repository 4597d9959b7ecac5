"""The supervision page in a real headless Chromium (Debian's chromium + chromedriver).

`ipgov demo`, a group review, `ipgov serve`; then sign in as the group auditor, read the
heatmap, drill into a subsidiary, try another group's tenant through the URL (FORBIDDEN, no
data) and switch to Chinese. A screenshot goes to /tmp/supervision.png for a human look.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
    pytest.skip("needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
                "/usr/bin/chromedriver); .ci/run installs them", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the test extra)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.e2e.servers import _cli, _free_port, reviewed_demo, running_server  # noqa: E402, F401

PASSWORD = "ipgov-demo-2026"
AUDITOR = "chen.jing@hanwei.example"
SCREENSHOT = Path("/tmp/supervision.png")


def chromium(profile: Path, *flags: str, capabilities: dict | None = None):
    """Headless Debian Chromium with a fresh ``profile`` (and extra ``flags``) until closed."""
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1400,1000", "--lang=en-US",
                 *flags):
        options.add_argument(flag)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    env = reviewed_demo(tmp_path_factory.mktemp("supervision"))
    ids = {}
    for line in _cli(env, "tenant", "list").splitlines()[1:]:
        parts = [p for p in line.split() if p not in ("├─", "└─", "│")]  # the tree's branches
        if len(parts) >= 5:
            ids[parts[0]] = parts[-1]
    for base in running_server(env):
        yield base, ids


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    yield from chromium(tmp_path_factory.mktemp("chromium-profile"))


def _wait(driver, timeout: float = 30):
    return WebDriverWait(driver, timeout)


def test_supervision_page_end_to_end(server, browser):
    base, ids = server
    assert {"hanwei-group", "hanwei-semiconductor", "northstar-robotics"} <= ids.keys()
    d = browser
    d.get(f"{base}/supervision/")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"

    # A wrong password is reported on the page.
    d.find_element(By.ID, "email").send_keys(AUDITOR)
    d.find_element(By.ID, "password").send_keys("wrong-password", Keys.ENTER)
    error = _wait(d).until(EC.visibility_of_element_located((By.ID, "error")))
    assert error.text.strip()
    assert d.find_element(By.ID, "signin").is_displayed()

    d.find_element(By.ID, "password").clear()
    d.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    _wait(d).until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, "#heatmap tbody tr[data-slug='hanwei-semiconductor']")))
    assert d.execute_script("return !!sessionStorage.getItem('ipgov.supervision.token')")

    # Heatmap: the group's tenants, numeric scores, every cell has text, <th scope>.
    slugs = [r.get_attribute("data-slug")
             for r in d.find_elements(By.CSS_SELECTOR, "#heatmap tbody tr")]
    assert {"hanwei-group", "hanwei-semiconductor", "hanwei-medical", "hanwei-software"} <= set(
        slugs)
    assert not any(s.startswith("northstar") for s in slugs)
    semi = d.find_element(By.CSS_SELECTOR, "#heatmap tbody tr[data-slug='hanwei-semiconductor']")
    scores = [c.text for c in semi.find_elements(By.CSS_SELECTOR, "td.score")]
    assert len(scores) == 7
    # a number with the checks it rests on under it, or "not assessed": never a bare 100
    assert any(re.fullmatch(r"\d+(\.\d+)?\n\d+/\d+ checks", s) for s in scores), scores
    blank = d.find_elements(By.CSS_SELECTOR,
                            "#heatmap td.score.none[data-assessment='not_assessed']")
    assert blank and all(c.text.split("\n")[0] == "not assessed" for c in blank)  # no score
    partial = d.find_elements(By.CSS_SELECTOR, "#heatmap td.score.partial")
    assert all(c.get_attribute("title") for c in partial)  # the summary says what is missing
    cells = d.find_elements(By.CSS_SELECTOR, "#heatmap tbody td")
    assert cells and all(c.text.strip() for c in cells)  # never colour alone
    assert d.find_elements(By.CSS_SELECTOR, "#heatmap thead th[scope='col']")
    assert len(d.find_elements(By.CSS_SELECTOR, "#heatmap tbody th[scope='row']")) == len(slugs)
    for input_id in ("email", "password", "f-root", "f-function", "f-severity", "lang"):
        assert d.find_elements(By.CSS_SELECTOR, f"label[for='{input_id}']"), input_id

    # Drill down with the keyboard: focus the row, press Enter.
    d.execute_script("arguments[0].focus()", semi)
    semi.send_keys(Keys.ENTER)
    _wait(d).until(lambda drv: ids["hanwei-semiconductor"] in drv.current_url)
    _wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#detail-body table tbody tr")))
    detail = d.find_element(By.ID, "detail")
    assert "hanwei-semiconductor" in detail.text
    findings = d.find_elements(By.CSS_SELECTOR, "#detail-body table:first-of-type tbody tr")
    assert findings, "the findings table is empty"
    assert d.find_elements(By.CSS_SELECTOR, "#detail-body svg.trend")
    assert d.find_element(By.CSS_SELECTOR, "[data-verification]").get_attribute(
        "data-verification") == "ok"
    d.save_screenshot(str(SCREENSHOT))

    # Another group's tenant through the URL: FORBIDDEN, and none of its data.
    d.execute_script("location.hash = arguments[0]", f"tenant={ids['northstar-robotics']}")
    error = _wait(d).until(EC.visibility_of_element_located((By.ID, "error")))
    _wait(d).until(lambda drv: "FORBIDDEN" in drv.find_element(By.ID, "error").text)
    page = d.find_element(By.TAG_NAME, "body").text.lower()
    assert "northstar" not in page
    assert not d.find_element(By.ID, "detail").is_displayed()
    assert "hanwei-semiconductor" not in d.find_element(By.ID, "detail-body").text

    # Chinese labels.
    from selenium.webdriver.support.ui import Select

    Select(d.find_element(By.ID, "lang")).select_by_value("zh")
    _wait(d).until(lambda drv: drv.find_element(By.TAG_NAME, "html").get_attribute("lang")
                   == "zh-CN")
    assert "治理热力图" in d.find_element(By.ID, "heatmap-h").text
    assert "租户" in d.find_element(By.CSS_SELECTOR, "#heatmap thead").text
    blank_zh = "return [...document.querySelectorAll('#heatmap td.score.none')]" \
        ".map((c) => c.textContent)"
    _wait(d).until(lambda drv: (texts := drv.execute_script(blank_zh)) and all(
        t.startswith("未评估") for t in texts))
    d.save_screenshot(str(SCREENSHOT.with_name("supervision-zh.png")))

    csp = [e for e in d.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not csp, csp

    # Sign out clears the token and the data.
    d.find_element(By.ID, "signout").click()  # the server ends the session, then the page
    _wait(d).until(lambda drv: drv.find_element(By.ID, "signin").is_displayed())
    assert d.execute_script("return sessionStorage.getItem('ipgov.supervision.token')") is None
    assert not d.find_elements(By.CSS_SELECTOR, "#heatmap tbody tr")

    # The switch was stored as the user's preference: a fresh session (English browser)
    # turns Chinese as soon as the auditor signs in, server messages included.
    d.execute_script("sessionStorage.clear()")
    d.get(f"{base}/supervision/")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    d.find_element(By.ID, "email").send_keys(AUDITOR)
    d.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    _wait(d).until(lambda drv: drv.find_element(By.TAG_NAME, "html").get_attribute("lang")
                   == "zh-CN")
    _wait(d).until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, "#heatmap tbody tr[data-slug='hanwei-semiconductor']")))
    assert "治理热力图" in d.find_element(By.ID, "heatmap-h").text
    d.execute_script("location.hash = arguments[0]", f"tenant={ids['northstar-robotics']}")
    _wait(d).until(lambda drv: "FORBIDDEN" in drv.find_element(By.ID, "error").text)
    message = d.find_element(By.ID, "error").text
    assert re.search(r"[\u4e00-\u9fff]", message), message


# ------------------------------------------------------------ exports, reports, invitations


def _graphql(base: str, query: str, variables: dict, token: str | None = None) -> dict:
    import httpx

    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables},
                          headers=headers, timeout=30)
    return response.json()["data"]


def _sign_in_on_the_page(d, base: str, email: str) -> None:
    d.get(f"{base}/supervision/")
    d.execute_script("sessionStorage.clear(); localStorage.clear()")
    d.get(f"{base}/supervision/")
    d.find_element(By.ID, "email").send_keys(email)
    d.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)


def test_exports_and_reports_open_from_the_page(server, browser):
    """Before: the exports and reports took only a bearer header, and the page linked to none."""
    import httpx

    base, ids = server
    d = browser
    _sign_in_on_the_page(d, base, AUDITOR)
    csv_link = _wait(d).until(EC.visibility_of_element_located(
        (By.CSS_SELECTOR, "#downloads a[download]")))
    report_link = d.find_element(By.CSS_SELECTOR, "#downloads a[target='_blank']")
    csv_href = csv_link.get_attribute("href")
    csv = httpx.get(csv_href, timeout=30)  # no header: the link alone
    assert csv.status_code == 200 and "hanwei-semiconductor" in csv.text
    assert "northstar" not in csv.text

    page_lang = d.find_element(By.TAG_NAME, "html").get_attribute("lang")
    report_link.click()  # a new tab, as a person opens it
    _wait(d).until(lambda drv: len(drv.window_handles) == 2)
    main = d.current_window_handle
    d.switch_to.window([h for h in d.window_handles if h != main][0])
    _wait(d).until(EC.presence_of_element_located((By.TAG_NAME, "h1")))
    title = {"en": "Supervision report", "zh-CN": "监督报告"}[page_lang]  # the page's language
    assert d.find_element(By.TAG_NAME, "h1").text == title
    assert "hanwei-semiconductor" in d.find_element(By.TAG_NAME, "body").text
    d.close()
    d.switch_to.window(main)

    semi = d.find_element(By.CSS_SELECTOR, "#heatmap tbody tr[data-slug='hanwei-semiconductor']")
    semi.click()
    reports = _wait(d).until(EC.presence_of_all_elements_located(
        (By.CSS_SELECTOR, "#detail-downloads li a")))
    titles = [a.text for a in reports]
    assert any("governance report" in title for title in titles), titles
    governance = next(a for a in reports if "governance report" in a.text)
    opened = httpx.get(governance.get_attribute("href"), timeout=60)
    assert opened.status_code == 200 and "<html" in opened.text.lower()
    assert ids["hanwei-semiconductor"] in governance.get_attribute("href")

    d.find_element(By.ID, "signout").click()  # ends the session on the server
    _wait(d).until(lambda drv: drv.find_element(By.ID, "signin").is_displayed())
    assert not d.find_elements(By.CSS_SELECTOR, "#downloads a")
    assert httpx.get(csv_href, timeout=30).status_code == 401  # its links with it


def test_an_invited_member_accepts_in_the_browser_and_signs_in(server, browser):
    """Before: a member added through the API could never sign in."""
    base, ids = server
    d = browser
    director = _graphql(base, 'mutation { login(email: "li.wei@hanwei.example", '
                        f'password: "{PASSWORD}") {{ token }} }}', {})["login"]["token"]
    invited = _graphql(base, """mutation($t: ID!) { inviteMember(tenantId: $t,
        email: "new.member@hanwei.example", role: "contributor") { link errors { code } } }""",
                       {"t": ids["hanwei-semiconductor"]}, director)["inviteMember"]
    assert invited["errors"] == [] and "/account/#invitation=" in invited["link"]

    d.get(invited["link"])
    _wait(d).until(EC.visibility_of_element_located((By.ID, "invitation-form")))
    assert "#invitation" not in d.current_url  # the secret left the address bar
    d.find_element(By.ID, "display-name").send_keys("New Member")
    d.find_element(By.ID, "new-password").send_keys("a long new password")
    d.find_element(By.ID, "confirm").send_keys("a long new password", Keys.ENTER)
    _wait(d).until(EC.visibility_of_element_located((By.ID, "done")))
    # the session is the workspace's: HttpOnly cookies the page's scripts cannot read
    jar = {c["name"]: c for c in d.get_cookies()}
    assert jar["ipgov_access"]["httpOnly"] and jar["ipgov_refresh"]["httpOnly"], jar
    assert "ipgov_access" not in d.execute_script("return document.cookie")
    login = _graphql(base, """mutation { login(email: "new.member@hanwei.example",
        password: "a long new password") { token errors { code } } }""", {})["login"]
    assert login["token"], login

    d.get(invited["link"])  # the link worked once
    _wait(d).until(EC.visibility_of_element_located((By.ID, "invitation-form")))
    d.find_element(By.ID, "new-password").send_keys("another long password")
    d.find_element(By.ID, "confirm").send_keys("another long password", Keys.ENTER)
    error = _wait(d).until(EC.visibility_of_element_located((By.ID, "error")))
    assert "INVITATION_INVALID" in error.text
