/** Single sign-on in the workspace: the sign-ins a screen may offer, and the hand-over of a
 * finished one (the server's callback puts a one-time code in the fragment: /signin#sso=...)
 * or of a refused one (its reason's code: /signin#sso-refused=...). */
import { graphql } from "../gql";

export const SignInProvidersDocument = graphql(`
  query SignInProviders($email: String, $tenantSlug: String) {
    signInProviders(email: $email, tenantSlug: $tenantSlug) { id name kind loginUrl }
  }
`);

export const CompleteSignInDocument = graphql(`
  mutation CompleteSignIn($code: String!) {
    completeSignIn(code: $code) { userId errors { code message field } }
  }
`);

/** The one-time code in a fragment such as "#sso=abc", or null. */
export function ssoCode(hash: string): string | null {
  const match = /^#sso=([A-Za-z0-9_-]{10,200})$/.exec(hash);
  return match ? match[1] : null;
}

/** The code of a refused single sign-on the server sent back ("#sso-refused=SSO_UNKNOWN_USER"),
 * or null: only a code travels, the sign-in screen owns the words. */
export function ssoRefusal(hash: string): string | null {
  const match = /^#sso-refused=(SSO_[A-Z_]{1,60})$/.exec(hash);
  return match ? match[1] : null;
}

/** Where a "Sign in with ..." button goes: the provider's login route, in the chosen language. */
export function loginHref(loginUrl: string, language: string): string {
  return `${loginUrl}?lang=${encodeURIComponent(language)}`;
}

/** Where signing out sends the browser next (a SAML identity provider's single logout), when
 * it is a web address: never a script or another scheme. */
export function logoutTarget(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}
