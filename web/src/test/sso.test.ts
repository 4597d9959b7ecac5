import { describe, expect, it } from "vitest";
import { loginHref, logoutTarget, ssoCode, ssoRefusal } from "../app/sso";

describe("single sign-on hand-over", () => {
  it("reads only a well-formed one-time code from the fragment", () => {
    expect(ssoCode("#sso=abcDEF_123-xyz")).toBe("abcDEF_123-xyz");
    expect(ssoCode("#sso=short")).toBeNull();
    expect(ssoCode("#sso=abcDEF_123-xyz&token=x")).toBeNull();
    expect(ssoCode("#reset=abcDEF_123-xyz")).toBeNull();
    expect(ssoCode("")).toBeNull();
  });

  it("reads only a refusal's code, never words, from the fragment", () => {
    expect(ssoRefusal("#sso-refused=SSO_UNKNOWN_USER")).toBe("SSO_UNKNOWN_USER");
    expect(ssoRefusal("#sso-refused=Call%20us")).toBeNull();
    expect(ssoRefusal("#sso-refused=SSO_X&msg=hi")).toBeNull();
    expect(ssoRefusal("#sso=abcDEF_123-xyz")).toBeNull();
  });

  it("starts a provider's sign-in in the chosen language", () => {
    expect(loginHref("/auth/oidc/p1/login", "zh-CN")).toBe("/auth/oidc/p1/login?lang=zh-CN");
  });

  it("follows a single logout only to a web address", () => {
    expect(logoutTarget("https://idp.example/slo?SAMLRequest=x")).toBe("https://idp.example/slo?SAMLRequest=x");
    expect(logoutTarget("javascript:alert(1)")).toBeNull();
    expect(logoutTarget(null)).toBeNull();
  });
});
