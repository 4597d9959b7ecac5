// Browser journeys against a real `ipgov serve` with the demo loaded. The server is started by
// tests/e2e/test_workspace_browser.py (pytest, so ./scripts/test and CI run these; projects en
// and zh-CN), which sets IPGOV_BASE_URL; the single sign-on journeys (e2e/sso, projects sso-*)
// by tests/e2e/test_sso_browser.py with a real OpenID provider, the SAML ones (e2e/saml,
// projects saml-*) by tests/e2e/test_saml_browser.py with pysaml2's IdP. Debian's Chromium is driven (no
// browser download), in both languages.
import { defineConfig } from "@playwright/test";

const chromium = process.env.IPGOV_CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: process.env.IPGOV_E2E_OUTPUT ?? "test-results",
  use: {
    baseURL: process.env.IPGOV_BASE_URL ?? "http://127.0.0.1:8000",
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "en", use: { locale: "en-US" }, testIgnore: ["sso/**", "saml/**"] },
    { name: "zh-CN", use: { locale: "zh-CN" }, testIgnore: ["sso/**", "saml/**"] },
    // single sign-on against a real OpenID provider: tests/e2e/test_sso_browser.py starts the
    // provider and its own server, then runs these two projects (and nothing else) once
    { name: "sso-en", use: { locale: "en-US" }, testMatch: "sso/**/*.spec.ts" },
    { name: "sso-zh-CN", use: { locale: "zh-CN" }, testMatch: "sso/**/*.spec.ts" },
    // SAML single sign-on against pysaml2's identity provider: tests/e2e/test_saml_browser.py
    { name: "saml-en", use: { locale: "en-US" }, testMatch: "saml/**/*.spec.ts" },
    { name: "saml-zh-CN", use: { locale: "zh-CN" }, testMatch: "saml/**/*.spec.ts" },
  ],
});
