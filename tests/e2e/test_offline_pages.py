"""Every page works air-gapped: a real headless Chromium that cannot reach any host but the
server opens the landing page, GraphiQL (renders and runs a query), the HTTP API reference
and the docs; every request of every page goes to the server itself, and no page breaks its
Content-Security-Policy."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest

from tests.e2e.test_supervision_browser import (  # skips the module without chromium/selenium
    EC,
    By,
    _cli,
    _free_port,
    _wait,
    chromium,
    running_server,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("offline")
    env = {**os.environ, "IPGOV_DATA_DIR": str(data), "IPGOV_PORT": str(_free_port()),
           "IPGOV_LOG_LEVEL": "WARNING"}
    _cli(env, "migrate")
    yield from running_server(env, "--no-migrate")


@pytest.fixture(scope="module")
def offline_browser(tmp_path_factory: pytest.TempPathFactory):
    """Chromium whose resolver knows only 127.0.0.1: any other host fails, as air-gapped."""
    yield from chromium(tmp_path_factory.mktemp("chromium-offline"),
                        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                        capabilities={"goog:loggingPrefs": {"performance": "ALL",
                                                            "browser": "ALL"}})


def _requested(driver) -> list[str]:
    """Every URL the browser asked for since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _assert_only_the_server(driver, base: str) -> None:
    foreign = [u for u in _requested(driver)  # chrome:// pages of the browser itself aside
               if u.startswith(("http:", "https:", "ws:", "wss:")) and not u.startswith(base)]
    assert not foreign, f"requests to other hosts: {foreign}"
    broken = [e["message"] for e in driver.get_log("browser")
              if "Content Security Policy" in e["message"] or e["level"] == "SEVERE"]
    assert not broken, broken


def test_graphiql_renders_and_runs_a_query_without_any_other_host(server, offline_browser):
    base, d = server, offline_browser
    d.get(f"{base}/graphql?q={quote('{ __typename }')}")
    _wait(d, 60).until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, ".graphiql-container .graphiql-execute-button")))
    d.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    _wait(d, 60).until(lambda drv: '"__typename": "Query"' in drv.find_element(
        By.CSS_SELECTOR, ".result-window").text)
    d.save_screenshot("/tmp/graphiql-offline.png")
    _assert_only_the_server(d, base)


def test_landing_api_reference_and_docs_open_offline(server, offline_browser):
    base, d = server, offline_browser
    d.get(f"{base}/about")
    links = {a.get_attribute("href").removeprefix(base): a.text
             for a in d.find_elements(By.CSS_SELECTOR, "ul.links a")}
    assert {"/", "/graphql", "/supervision/", "/schema", "/docs/"} <= set(links), links
    d.find_element(By.CSS_SELECTOR, "p.lang a").click()
    _wait(d).until(lambda drv: drv.find_element(By.TAG_NAME, "html").get_attribute("lang")
                   == "zh-CN")
    assert "监督" in d.find_element(By.CSS_SELECTOR, "ul.links").text

    d.get(f"{base}/schema")
    assert "ipgov HTTP API" in d.find_element(By.TAG_NAME, "h1").text
    assert d.find_elements(By.CSS_SELECTOR, "tbody tr")
    d.get(f"{base}/docs/")
    d.find_element(By.LINK_TEXT, "README.md").click()
    _wait(d).until(lambda drv: drv.find_element(By.TAG_NAME, "h1").text == "ipgov")
    d.get(f"{base}/supervision/")
    _wait(d).until(EC.visibility_of_element_located((By.ID, "signin")))
    _assert_only_the_server(d, base)
