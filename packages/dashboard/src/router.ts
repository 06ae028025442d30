/** A small history router for the paths under /dashboard (the server answers index.html for all of them). */
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/dashboard';
const CHANGE = 'fitroom:navigate';

export interface Location {
  /** The path below /dashboard, always starting with '/'. */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const raw = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  return { path: raw === '' ? '/' : raw, query: new URLSearchParams(window.location.search) };
}

/** `href('/accounts')` → `/dashboard/accounts`. */
/** An account's path: its page in the dashboard, and its resource under the admin API (the same shape). */
export function accountPath(id: string): string {
  return `/accounts/${encodeURIComponent(id)}`;
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = href(path);
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return location;
}

/** Follows a plain left click on an in-app link without reloading; modified clicks open tabs as usual. */
export function followLink(event: MouseEvent, path: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  event.preventDefault();
  navigate(path);
  window.scrollTo(0, 0);
}
