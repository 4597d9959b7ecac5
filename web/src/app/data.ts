/** React Query over `execute`: screens ask for typed documents; a mutation refreshes what is shown. */
import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from "@tanstack/react-query";
import type { TypedDocumentString } from "../gql/graphql";
import { execute } from "./client";

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
