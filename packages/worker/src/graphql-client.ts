/** A GraphQL error the server answered with (`extensions.code`: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT…). */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

/** The server could not be reached (refused, reset, 502–504): worth trying again later. */
export class UnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const reason = (cause as { cause?: { code?: string; message?: string } }).cause;
    super(`cannot reach ${url}: ${reason?.code ?? reason?.message ?? (cause as Error).message}`, { cause });
    this.name = 'UnreachableError';
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface GraphQLClientOptions {
  url: string;
  key?: string;
  fetch?: typeof fetch;
}

function firstError<T>(body: GraphQLBody<T>): GraphQLRequestError | null {
  const error = body.errors?.[0];
  return error ? new GraphQLRequestError(error.message, error.extensions?.code ?? null) : null;
}

/** GraphQL over HTTP: one POST per operation, and subscriptions as Server-Sent Events (what Yoga serves). */
export class GraphQLClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GraphQLClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  private headers(accept: string): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept,
      ...(this.options.key ? { authorization: `Bearer ${this.options.key}` } : {}),
    };
  }

  private async post(query: string, variables: Record<string, unknown>, accept: string, signal?: AbortSignal) {
    let response: Response;
    try {
      response = await this.fetch(this.options.url, {
        method: 'POST',
        headers: this.headers(accept),
        body: JSON.stringify({ query, variables }),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new UnreachableError(this.options.url, error);
    }
    // A proxy or a server still starting: nothing ran, so it is safe to try again.
    if (response.status >= 502 && response.status <= 504) {
      await response.body?.cancel();
      throw new UnreachableError(this.options.url, new Error(`HTTP ${response.status}`));
    }
    return response;
  }

  /** Runs one query or mutation; GraphQL errors are thrown as GraphQLRequestError. */
  async request<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    const response = await this.post(query, variables, 'application/graphql-response+json, application/json', signal);
    let body: GraphQLBody<T>;
    try {
      body = (await response.json()) as GraphQLBody<T>;
    } catch (error) {
      throw new UnreachableError(this.options.url, error);
    }
    const error = firstError(body);
    if (error) throw error;
    if (!response.ok || !body.data) throw new GraphQLRequestError(`HTTP ${response.status} without data`, null);
    return body.data;
  }

  /** Each result of a subscription, until it completes, fails or `signal` aborts. */
  async *subscribe<T>(query: string, variables: Record<string, unknown>, signal: AbortSignal): AsyncGenerator<T> {
    const response = await this.post(query, variables, 'text/event-stream', signal);
    if (!response.headers.get('content-type')?.includes('text/event-stream')) {
      // Refused before streaming (a bad key, a limit): the body is an ordinary GraphQL answer.
      const body = (await response.json().catch(() => ({}))) as GraphQLBody<T>;
      throw firstError(body) ?? new GraphQLRequestError(`HTTP ${response.status}: no event stream`, null);
    }
    try {
      for await (const event of serverSentEvents(response.body!)) {
        if (event.event === 'complete') return;
        if (event.event !== 'next') continue;
        const body = JSON.parse(event.data) as GraphQLBody<T>;
        const error = firstError(body);
        if (error) throw error;
        yield body.data as T;
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof GraphQLRequestError) throw error;
      throw new UnreachableError(this.options.url, error);
    }
    throw new UnreachableError(this.options.url, new Error('the event stream ended'));
  }
}

/** The events of a text/event-stream body (the fields this client needs: event and data). */
async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let end = buffered.search(/\r?\n\r?\n/); end >= 0; end = buffered.search(/\r?\n\r?\n/)) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0 || event !== 'message') yield { event, data: data.join('\n') };
    }
  }
}
