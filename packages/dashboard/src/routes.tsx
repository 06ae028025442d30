/** Which page answers which path under /dashboard. */
import type { JSX } from 'preact';
import { PageHeader } from './components/ui.js';
import { AccountPage } from './pages/account.js';
import { AccountsPage } from './pages/accounts.js';
import { GenerationPage } from './pages/generation.js';
import { GenerationsPage } from './pages/generations.js';
import { PlaygroundPage } from './pages/playground.js';
import { ProductsPage } from './pages/products.js';
import { UsagePage } from './pages/usage.js';
import type { Location } from './router.js';

export interface RouteMatch {
  title: string;
  render: (location: Location) => JSX.Element;
}

export const NAV: Array<{ path: string; label: string }> = [
  { path: '/accounts', label: 'Accounts' },
  { path: '/products', label: 'Products' },
  { path: '/generations', label: 'Generations' },
  { path: '/usage', label: 'Usage' },
  { path: '/playground', label: 'Playground' },
];

export function routeFor(path: string): RouteMatch {
  const [, section, id, ...rest] = path.split('/').map(decodeURIComponent);
  if (rest.length === 0) {
    if (section === 'accounts' && !id) return { title: 'Accounts', render: () => <AccountsPage /> };
    if (section === 'accounts' && id)
      return { title: 'Account', render: (l) => <AccountPage id={id} tab={l.query.get('tab')} /> };
    if (section === 'products' && !id) return { title: 'Products', render: (l) => <ProductsPage query={l.query} /> };
    if (section === 'generations' && !id)
      return { title: 'Generations', render: (l) => <GenerationsPage query={l.query} /> };
    if (section === 'generations' && id) return { title: 'Generation', render: () => <GenerationPage id={id} /> };
    if (section === 'usage' && !id) return { title: 'Usage', render: (l) => <UsagePage query={l.query} /> };
    if (section === 'playground' && !id)
      return { title: 'Playground', render: (l) => <PlaygroundPage query={l.query} /> };
  }
  if (!section) return { title: 'Accounts', render: () => <AccountsPage /> };
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
