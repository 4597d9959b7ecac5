/** React Query over `execute`: screens ask for typed documents; a mutation refreshes what is shown. */
import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { TypedDocumentString } from "../gql/graphql";
import { execute } from "./client";
import { follow } from "./live";

type Options<R> = Omit<UseQueryOptions<R, Error, R>, "queryKey" | "queryFn">;

export function useGql<R, V>(document: TypedDocumentString<R, V>, variables: V, options?: Options<R>) {
  return useQuery<R, Error, R>({
    queryKey: [document.toString(), variables],
    queryFn: () => execute(document, variables),
    ...options,
  });
}

/** A mutation; when it succeeds every query of the screen is asked again. */
export function useGqlMutation<R, V>(document: TypedDocumentString<R, V>) {
  const client = useQueryClient();
  return useMutation<R, Error, V>({
    mutationFn: (variables: V) => execute(document, variables),
    onSuccess: () => client.invalidateQueries(),
  });
}

export interface UserErrorShape { code: string; message: string; field?: string | null }

/** The typed errors of a mutation payload, if any. */
export function payloadErrors(payload: { errors?: readonly UserErrorShape[] } | null | undefined) {
  return payload?.errors ?? [];
}

const RETRY_MS = 5000;

/**
 * Follow a subscription while `enabled`: `onData` gets every answer. Returns true while it is
 * live (its first answer came and it has not ended), so the screen polls only when it is not;
 * after a failure it tries again every 5 s (a renewed sign-in, a restarted server).
 */
export function useLive<R, V>(document: TypedDocumentString<R, V>, variables: V, enabled: boolean,
                              onData: (data: R) => void): boolean {
  const [live, setLive] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (!enabled) return undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const stop = follow(document, JSON.parse(key) as V, {
      next: (data) => { setLive(true); handler.current(data); },
      failed: () => { setLive(false); retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS); },
      complete: () => setLive(false),
    });
    return () => { clearTimeout(retry); stop(); setLive(false); };
  }, [document, key, enabled, attempt]);
  return live;
}
