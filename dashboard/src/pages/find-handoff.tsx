import { useState } from 'react';
import { useLocation } from 'wouter';

/** Goes straight to a handoff's page by its id (the page says when there is none). */
export function FindHandoff() {
  const [id, setId] = useState('');
  const [, navigate] = useLocation();
  return (
    <search aria-label="Find a handoff">
      <form
        className="find"
        onSubmit={(event) => {
          event.preventDefault();
          const wanted = id.trim();
          if (wanted) navigate(`/handoffs/${encodeURIComponent(wanted)}`);
        }}
      >
        <label htmlFor="find-handoff">Handoff id</label>
        <input id="find-handoff" value={id} onChange={(event) => setId(event.target.value)} placeholder="hnd_…" />
        <button type="submit">Find</button>
      </form>
    </search>
  );
}
