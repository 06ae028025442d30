/** Which page answers which path under /dashboard. */
import type { JSX } from 'preact';
import { PageHeader } from './components/ui.js';
import type { Location } from './router.js';

export interface RouteMatch {
  title: string;
  render: (location: Location) => JSX.Element;
}

export const NAV: Array<{ path: string; label: string }> = [];

export function routeFor(path: string): RouteMatch {
  return {
    title: 'Not found',
    render: () => (
      <>
        <PageHeader title="Page not found" />
        <p>No dashboard page at {path}.</p>
      </>
    ),
  };
}
