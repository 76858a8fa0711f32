import { useEffect, useMemo, useState } from 'react';
import { Provider, useQuery } from 'urql';
import { Link, Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { storeApiKey, storedApiKey } from './api/api-key';
import { createApiClient } from './api/client';
import { ViewerContext } from './api/viewer';
import { ViewerDocument } from './gql/graphql';
import { Agents } from './pages/agents';
import { BulkOperations } from './pages/bulk-operations';
import { FindHandoff } from './pages/find-handoff';
import { HandoffDetail } from './pages/handoff-detail';
import { HandoffListFromUrl } from './pages/handoff-list';
import { KeyPrompt } from './pages/key-prompt';
import { Overview } from './pages/overview';
import { ProcedurePage } from './pages/procedure-page';
import { Procedures } from './pages/procedures';
import { Reliability } from './pages/reliability';
import { ReliabilityTestPage } from './pages/reliability-test';
import { Validation } from './pages/validation';
import { WebhookPage, Webhooks } from './pages/webhooks';

/** The API client follows the key: a new key, a new client (and WebSocket) carrying it. */
export function App() {
  const [apiKey, setApiKey] = useState(storedApiKey);
  const api = useMemo(() => createApiClient(apiKey), [apiKey]);
  useEffect(() => api.dispose, [api]);
  const changeKey = (key: string | null) => {
    storeApiKey(key);
    setApiKey(key);
  };
  return (
    <Provider value={api.client}>
      <Session apiKey={apiKey} onKey={changeKey} />
    </Provider>
  );
}

function Session({ apiKey, onKey }: { apiKey: string | null; onKey: (key: string | null) => void }) {
  const [{ data, error, fetching }] = useQuery({ query: ViewerDocument, requestPolicy: 'network-only' });
  if (fetching && !data) return <p className="loading">Connecting…</p>;
  const rejected = error?.response?.status === 401;
  if (rejected || (data && !data.viewer)) {
    return <KeyPrompt rejected={rejected && apiKey !== null} onKey={onKey} />;
  }
  if (error || !data?.viewer) return <p role="alert">The server did not answer: {error?.message}</p>;
  const viewer = data.viewer;
  return (
    <ViewerContext.Provider value={{ viewer, signOut: () => onKey(null) }}>
      <Router hook={useHashLocation}>
        <Layout>
          <Switch>
            <Route path="/" component={Overview} />
            <Route path="/handoffs">{() => <HandoffListFromUrl />}</Route>
            <Route path="/handoffs/:id">{(params) => <HandoffDetail id={decodeURIComponent(params.id)} />}</Route>
            <Route path="/agents" component={Agents} />
            <Route path="/procedures" component={Procedures} />
            <Route path="/procedures/:id">{(params) => <ProcedurePage id={decodeURIComponent(params.id)} />}</Route>
            <Route path="/webhooks" component={Webhooks} />
            <Route path="/webhooks/:id">{(params) => <WebhookPage id={decodeURIComponent(params.id)} />}</Route>
            <Route path="/bulk" component={BulkOperations} />
            <Route path="/validation" component={Validation} />
            <Route path="/reliability" component={Reliability} />
            <Route path="/reliability/:id">
              {(params) => <ReliabilityTestPage id={decodeURIComponent(params.id)} />}
            </Route>
            <Route>
              <h1>Not found</h1>
            </Route>
          </Switch>
        </Layout>
      </Router>
    </ViewerContext.Provider>
  );
}

const SECTIONS = [
  ['/', 'Overview'],
  ['/handoffs', 'Handoffs'],
  ['/agents', 'Agents'],
  ['/procedures', 'Procedures'],
  ['/validation', 'Validation'],
  ['/reliability', 'Reliability'],
  ['/webhooks', 'Webhooks'],
  ['/bulk', 'Bulk operations'],
] as const;

function Layout({ children }: { children: React.ReactNode }) {
  return (
    <ViewerContext.Consumer>
      {({ viewer, signOut }) => (
        <>
          <header className="top">
            <span className="brand">Handoff</span>
            <nav aria-label="Sections">
              {SECTIONS.map(([href, label]) => (
                <Link key={href} href={href} className={(active) => (active ? 'active' : '')}>
                  {label}
                </Link>
              ))}
              <a href="/graphql">GraphiQL</a>
            </nav>
            <FindHandoff />
            <span className="who" data-testid="viewer">
              {viewer?.keyName} ({viewer?.role.toLowerCase()})
              {viewer?.keysRequired ? (
                <button type="button" onClick={signOut}>
                  Forget key
                </button>
              ) : null}
            </span>
          </header>
          <main>{children}</main>
        </>
      )}
    </ViewerContext.Consumer>
  );
}
