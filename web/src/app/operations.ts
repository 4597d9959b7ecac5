/** The shell's own operations (typed by GraphQL Code Generator from ../schema.graphql). */
import { graphql } from "../gql";

export const LoginDocument = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      userId retryAfter secondFactorTicket secondFactorMethods enrolSecondFactor errors { code message field }
    }
  }
`);

export const SignOutDocument = graphql(`
  mutation SignOut { signOut { singleLogoutUrl errors { code message } } }
`);

export const SetMyLocaleDocument = graphql(`
  mutation SetMyLocale($locale: String) { setMyLocale(locale: $locale) { errors { code message } } }
`);

export const WorkspaceDocument = graphql(`
  query Workspace($after: String) {
    me { id kind displayName locale memberships { tenantId tenantSlug role inherited } }
    tenants(first: 100, after: $after) {
      nodes { id slug name kind parentId rootId depth governanceMode status enabledPlugins }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const TenantAccessDocument = graphql(`
  query TenantAccess($tenantId: ID!) {
    myPermissions(tenantId: $tenantId) { object action }
  }
`);
