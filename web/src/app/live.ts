/**
 * Live answers over one WebSocket (graphql-transport-ws, the `graphql-ws` client): the socket
 * opens with the first subscription, signs in with the session cookie (the server accepts it
 * from this host's pages only) and names the chosen language in its connection_init. It pings
 * every 20 s so proxies keep it, reconnects after a drop, and closes on sign-out; a
 * subscription the server ends (sign-in expired) reports it, and the screen polls until it
 * follows again.
 */
import { createClient, type Client } from "graphql-ws";
import type { TypedDocumentString } from "../gql/graphql";
import { currentLanguage, session } from "./client";

let client: Client | null = null;

function socketUrl(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
}

function live(): Client {
  client ??= createClient({
    url: socketUrl,
    lazy: true,
    keepAlive: 20_000,
    retryAttempts: 5,
    connectionParams: () => ({ language: currentLanguage() }), // signed in by the session cookie
  });
  return client;
}

session.onSignedOut(() => {
  void client?.dispose();
  client = null;
});

export interface LiveHandlers<R> {
  next(data: R): void;
  /** The subscription ended with an error (its code) or the socket could not carry it. */
  failed(code: string): void;
  complete(): void;
}

/** Follow `document` until the returned function is called or the server completes it. */
export function follow<R, V>(document: TypedDocumentString<R, V>, variables: V,
                             handlers: LiveHandlers<R>): () => void {
  let failed = false;
  return live().subscribe<R>({ query: document.toString(), variables: variables as Record<string, unknown> }, {
    next(value) {
      const error = value.errors?.[0];
      if (error) {
        failed = true;
        handlers.failed(String(error.extensions?.code ?? "ERROR"));
      } else if (value.data) {
        handlers.next(value.data);
      }
    },
    error(error) {
      failed = true;
      const code = Array.isArray(error) ? String(error[0]?.extensions?.code ?? "ERROR") : "SOCKET_CLOSED";
      handlers.failed(code);
    },
    complete() {
      if (!failed) handlers.complete();
    },
  });
}
