/** Cursor-paginated lists (`{data, nextCursor}`): the first page on load, more on demand. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from './types.js';

export interface Paged<T> {
  items: T[];
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  /** Replace one item (after a mutation) or remove it (`null`). */
  update: (match: (item: T) => boolean, next: T | null) => void;
}

export function usePaged<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>, deps: unknown[]): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  const load = useCallback((from: string | null) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    fetchPage(from).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((prev) => (from === null ? page.data : [...prev, ...page.data]));
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, deps);

  useEffect(() => load(null), [load]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => load(cursor),
    reload: () => load(null),
    update: (match, next) =>
      setItems((prev) =>
        next === null ? prev.filter((item) => !match(item)) : prev.map((item) => (match(item) ? next : item)),
      ),
  };
}
