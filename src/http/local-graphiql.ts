import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL's page with its scripts, styles and editor workers inlined from a local bundle
 * (@graphql-yoga/render-graphiql), so it works with no internet access: Yoga's own page loads
 * them from a CDN. The bundle (about 9 MB) is loaded on the first page view, not at start-up, and
 * the page rendered once per set of options.
 */
let renderer: Promise<(options?: GraphiQLOptions) => string> | null = null;
const pages = new Map<string, string>();

export async function renderLocalGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  const cached = pages.get(key);
  if (cached) return cached;
  renderer ??= import('@graphql-yoga/render-graphiql').then((module) => module.renderGraphiQL);
  const page = (await renderer)(options);
  pages.set(key, page);
  return page;
}
