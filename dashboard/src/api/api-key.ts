/** The API key the person typed, kept for this browser tab only (sessionStorage), never in the URL or on disk. */
const STORAGE_KEY = 'handoff.apiKey';

export function storedApiKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(STORAGE_KEY, key);
  else sessionStorage.removeItem(STORAGE_KEY);
}
