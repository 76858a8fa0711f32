import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/** A GraphQL error as the server sends it: `extensions.code` says what kind (UNAUTHENTICATED, NOT_FOUND, …). */
export interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string };
}

/** The server answered with errors instead of data: each keeps its code. */
export class GraphQLRequestError extends Error {
  constructor(readonly errors: readonly GraphQLErrorBody[]) {
    super(errors.map((error) => `${error.extensions?.code ?? 'ERROR'}: ${error.message}`).join('; '));
  }
}

/** A generated operation: its text, typed with its result and variables (see ./generated). */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

/**
 * Queries and mutations over HTTP (fetch), typed by the generated documents: the variables must be
 * what the operation declares and the result is what it selects.
 */
export class GraphQLHttpClient {
  constructor(
    private readonly url: string,
    private readonly apiKey?: string,
  ) {}

  async request<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const body = (await response.json()) as { data?: TResult | null; errors?: GraphQLErrorBody[] };
    if (body.errors?.length || body.data == null)
      throw new GraphQLRequestError(body.errors ?? [{ message: `HTTP ${response.status} without data` }]);
    return body.data;
  }
}
