/**
 * The workspace's only way to the server: POST /graphql with the person's language (so every
 * UserError comes back in it). The session lives in HttpOnly cookies the server sets at sign-in
 * (no script can read the tokens); each request asks for that with X-IPGOV-Session and sends
 * back the session's CSRF token from its readable cookie. An expired access cookie is renewed
 * once through refreshSession (the refresh cookie, single use); a refused one signs out.
 */
import type { TypedDocumentString } from "../gql/graphql";

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A request the server refused as a whole (not a mutation's typed errors, which are data). */
export class GraphQLFailure extends Error {
  constructor(readonly code: string, message: string, readonly status = 200) {
    super(message);
    this.name = "GraphQLFailure";
  }
}

type Listener = () => void;
const signedOut = new Set<Listener>();
let language = "en";
let refreshing: Promise<boolean> | null = null;

/** The language the person chose (sent with every request, and to the live socket). */
export function currentLanguage(): string {
  return language;
}

const CSRF_COOKIE = /^(__Host-)?ipgov_csrf=/;

/** The session's CSRF token (its cookie is readable by this page only). */
export function csrfToken(): string | null {
  const found = document.cookie.split("; ").find((c) => CSRF_COOKIE.test(c));
  return found ? found.slice(found.indexOf("=") + 1) : null;
}

export const session = {
  /** A session was started in this browser (its CSRF cookie is there). */
  signedIn: () => csrfToken() !== null,
  clear() {
    // the HttpOnly cookies are the server's to end (signOut); the readable one goes here
    const secure = location.protocol === "https:";
    document.cookie = `${secure ? "__Host-" : ""}ipgov_csrf=; Max-Age=0; Path=/; SameSite=Strict${secure ? "; Secure" : ""}`;
    signedOut.forEach((listener) => listener());
  },
  onSignedOut(listener: Listener): () => void {
    signedOut.add(listener);
    return () => signedOut.delete(listener);
  },
  setLanguage(lang: string) {
    language = lang;
  },
};

async function post(query: string, variables: unknown): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "accept-language": language,
    "x-ipgov-session": "cookie",
  };
  const csrf = csrfToken();
  if (csrf) headers["x-ipgov-csrf"] = csrf;
  return fetch("/graphql", { method: "POST", headers, credentials: "same-origin",
    body: JSON.stringify({ query, variables }) });
}

const REFRESH = `mutation Refresh { refreshSession { userId errors { code message } } }`;

async function renew(): Promise<boolean> {
  if (!session.signedIn()) return false;
  refreshing ??= (async () => {
    try {
      const response = await post(REFRESH, {});
      const body = await response.json();
      return Boolean(body?.data?.refreshSession?.userId);
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function parse(response: Response): Promise<{ data?: unknown; errors?: GraphQLErrorShape[] }> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new GraphQLFailure(response.status === 429 ? "RATE_LIMITED" : "BAD_RESPONSE",
      `${response.status} ${response.statusText}`, response.status);
  }
}

/** Run an operation; resolves to its data, rejects with a GraphQLFailure. */
export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables> | string,
  variables?: TVariables,
): Promise<TResult> {
  const query = document.toString();
  let response = await post(query, variables ?? {});
  if (response.status === 401 && (await renew())) {
    response = await post(query, variables ?? {});
  }
  const body = await parse(response);
  const first = body.errors?.[0];
  if (response.status === 401 || first?.extensions?.code === "UNAUTHENTICATED") {
    session.clear();
    throw new GraphQLFailure("UNAUTHENTICATED", first?.message ?? "signed out", 401);
  }
  if (first && !body.data) {
    throw new GraphQLFailure(String(first.extensions?.code ?? "ERROR"), first.message, response.status);
  }
  if (first) {
    // a partial answer: the refused field is null and its error says why
    throw new GraphQLFailure(String(first.extensions?.code ?? "ERROR"), first.message, response.status);
  }
  return body.data as TResult;
}

/** The raw answer, for plugin screens (context.graphql): never throws on GraphQL errors. */
export async function executeRaw(query: string, variables?: Record<string, unknown>) {
  try {
    return { data: await execute<unknown, unknown>(query, variables), errors: [] as GraphQLErrorShape[] };
  } catch (error) {
    const failure = error instanceof GraphQLFailure ? error : new GraphQLFailure("NETWORK", String(error));
    return { data: null, errors: [{ message: failure.message, extensions: { code: failure.code } }] };
  }
}
