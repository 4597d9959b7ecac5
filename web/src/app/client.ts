/**
 * The workspace's only way to the server: POST /graphql with the session's bearer token and the
 * person's language (so every UserError comes back in it). An expired access token is renewed
 * once with the refresh token (single use); a refused one signs the person out.
 */
import type { TypedDocumentString } from "../gql/graphql";

// the same session as the account and supervision pages (static/account, static/supervision)
const TOKEN_KEY = "ipgov.supervision.token";
const REFRESH_KEY = "ipgov.supervision.refresh";

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

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  save(token: string, refresh: string | null | undefined) {
    sessionStorage.setItem(TOKEN_KEY, token);
    if (refresh) sessionStorage.setItem(REFRESH_KEY, refresh);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(REFRESH_KEY);
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

async function post(query: string, variables: unknown, token: string | null): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "accept-language": language,
  };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
}

const REFRESH = `mutation Refresh($refreshToken: String!) {
  refreshSession(refreshToken: $refreshToken) { token refreshToken errors { code message } } }`;

async function renew(): Promise<boolean> {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (!refresh) return false;
  refreshing ??= (async () => {
    try {
      const response = await post(REFRESH, { refreshToken: refresh }, null);
      const body = await response.json();
      const result = body?.data?.refreshSession;
      if (!result?.token) return false;
      session.save(result.token, result.refreshToken);
      return true;
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
  let response = await post(query, variables ?? {}, session.token());
  if (response.status === 401 && (await renew())) {
    response = await post(query, variables ?? {}, session.token());
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
