import { EventSourceParserStream } from 'eventsource-parser/stream';

/** A GraphQL answer as the server sends it. */
export interface GraphQLAnswer<T = unknown> {
  data?: T | null;
  errors?: { message: string; path?: readonly (string | number)[]; extensions?: { code?: string } }[];
}

/**
 * The GraphQL API as the MCP tools use it: every tool call is one operation sent the way any client
 * sends it, so the server's API keys, roles, limits and error masking apply unchanged. Over the
 * network (the stdio server) or to the server's own request handler (the /mcp endpoint).
 */
export interface GraphQLGateway {
  request<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  /** Each result of a subscription (GraphQL over Server-Sent Events) until it completes or `signal` aborts. */
  subscribe<T = unknown>(
    query: string,
    variables: Record<string, unknown>,
    signal: AbortSignal,
  ): AsyncGenerator<GraphQLAnswer<T>>;
}

export interface HttpGatewayOptions {
  /** The GraphQL endpoint. */
  url: string;
  /** The Authorization header to send (`Bearer <key>`), if any. */
  authorization?: string | null;
  /** How requests are sent: the global fetch, or a server's own handler (`yoga.fetch`). */
  fetch?: (request: Request) => Promise<Response>;
}

/** A gateway speaking GraphQL over HTTP (POST) and subscriptions over Server-Sent Events. */
export function httpGateway(options: HttpGatewayOptions): GraphQLGateway {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const post = (query: string, variables: Record<string, unknown>, accept: string, signal?: AbortSignal) =>
    send(
      new Request(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept,
          ...(options.authorization ? { authorization: options.authorization } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal,
      }),
    );
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}) {
      const response = await post(query, variables, 'application/graphql-response+json, application/json');
      return (await response.json()) as GraphQLAnswer<T>;
    },
    async *subscribe<T>(query: string, variables: Record<string, unknown>, signal: AbortSignal) {
      const response = await post(query, variables, 'text/event-stream', signal);
      if (!response.headers.get('content-type')?.includes('text/event-stream')) {
        yield (await response.json()) as GraphQLAnswer<T>;
        return;
      }
      const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
      for await (const event of events as unknown as AsyncIterable<{ event?: string; data: string }>) {
        if (event.event === 'complete') return;
        if (event.event === 'next') yield JSON.parse(event.data) as GraphQLAnswer<T>;
      }
    },
  };
}
