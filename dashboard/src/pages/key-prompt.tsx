import { useState } from 'react';

/** Asks for an API key when the server requires one; the key stays in this tab (sessionStorage). */
export function KeyPrompt({ rejected, onKey }: { rejected: boolean; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <main className="key-prompt">
      <h1>Handoff dashboard</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <button type="submit">Sign in</button>
        {rejected ? (
          <p role="alert">That key was refused; check it and try again.</p>
        ) : (
          <p>This server requires an API key. It is kept for this tab only.</p>
        )}
      </form>
    </main>
  );
}
