/** Loading state for the pages: what is being fetched, what came back, what failed. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Account } from './types.js';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replace the data in place (after a mutation answered with the new object). */
  set: (data: T) => void;
}

/** Runs `load` now and whenever a dependency changes; an answer that arrives after a newer request is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => {
        if (mine === generation.current) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
      },
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run, set: (data: T) => setState({ data, error: null, loading: false }) };
}

/** A button's action in flight, and its failure. */
export function useAction(): {
  busy: boolean;
  error: unknown;
  run: (action: () => Promise<void>) => Promise<void>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(null) };
}

/**
 * Account names by id, for lists that hold only an account's id: learnt from the accounts an AccountSelect has
 * loaded anyway (pass the setter as its `onAccounts`), so no page asks the server for them a second time.
 */
export function useAccountNames(): [Map<string, string>, (accounts: Account[]) => void] {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const learn = useCallback((accounts: Account[]) => setNames(new Map(accounts.map((a) => [a.id, a.name]))), []);
  return [names, learn];
}
