/** Products of every account: search, their stored images, how long they live (TTL), delete. */
import { useState } from 'preact/hooks';
import { admin, withQuery } from '../api.js';
import { AccountSelect } from '../components/account-select.js';
import { Badge, Button, ErrorBox, Field, Link, PagedListFooter, PageHeader, When } from '../components/ui.js';
import { useAccountNames, useAction } from '../hooks.js';
import { usePaged } from '../paged.js';
import { accountPath, navigate } from '../router.js';
import type { Page, Product } from '../types.js';

export function ProductsPage(props: { query: URLSearchParams }) {
  const accountId = props.query.get('accountId') ?? '';
  const search = props.query.get('search') ?? '';
  const [text, setText] = useState(search);
  const [account, setAccount] = useState(accountId);
  const [names, learnNames] = useAccountNames();
  const list = usePaged<Product>(
    (cursor) => admin.get<Page<Product>>('/products', { accountId, search, cursor, limit: 48 }),
    [accountId, search],
  );
  const action = useAction();

  const apply = (e: Event) => {
    e.preventDefault();
    navigate(withQuery('/products', { accountId: account, search: text.trim() }), { replace: true });
  };
  const remove = (p: Product) => {
    if (!window.confirm(`Delete the product “${p.title || p.externalId}” and its images?`)) return;
    void action.run(async () => {
      await admin.delete<void>(`/products/${encodeURIComponent(p.id)}`);
      list.update((x) => x.id === p.id, null);
    });
  };

  return (
    <>
      <PageHeader title="Products" />
      <form class="form-row card" aria-label="Filters" onSubmit={apply}>
        <AccountSelect value={account} onChange={setAccount} anyLabel="All accounts" onAccounts={learnNames} />
        <Field label="Search" hint="External id or title">
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </Field>
        <Button type="submit">Apply</Button>
      </form>
      <ErrorBox error={list.error ?? action.error} retry={list.error ? list.reload : undefined} />
      {list.items.length > 0 ? (
        <ul class="grid products">
          {list.items.map((p) => (
            <li key={p.id} class="card product">
              <div class="thumbs">
                {p.images.slice(0, 3).map((img, i) => {
                  const alt = `${p.title || p.externalId} ${i + 1}/${p.images.length}${img.role ? ` (${img.role})` : ''}`;
                  return img.url ? (
                    <a key={`${i}:${img.url}`} href={img.url} target="_blank" rel="noreferrer">
                      <img src={img.url} alt={alt} loading="lazy" />
                    </a>
                  ) : (
                    <span key={`${i}:none`} class="no-image" role="img" aria-label={`${alt}: not stored`}>
                      —
                    </span>
                  );
                })}
                {p.images.length === 0 ? <span class="muted">No image</span> : null}
              </div>
              <h2 class="product-title">{p.title || <span class="muted">untitled</span>}</h2>
              <dl class="meta">
                <dt>External id</dt>
                <dd class="mono">{p.externalId}</dd>
                <dt>Account</dt>
                <dd>
                  <Link class={names.has(p.accountId) ? undefined : 'mono'} to={accountPath(p.accountId)}>
                    {names.get(p.accountId) ?? p.accountId}
                  </Link>
                </dd>
                <dt>Kind</dt>
                <dd>{KIND[p.kind]}</dd>
                <dt>Lifetime</dt>
                <dd>
                  <Ttl product={p} />
                </dd>
                <dt>Last used</dt>
                <dd>
                  <When at={p.lastUsedAt} empty="never" />
                </dd>
              </dl>
              <Button
                variant="danger"
                onClick={() => remove(p)}
                disabled={action.busy}
                aria-label={`Delete ${p.title || p.externalId}`}
              >
                Delete
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      <PagedListFooter list={list} empty="No products match." />
    </>
  );
}

const KIND: Record<Product['kind'], string> = {
  catalog: 'catalog',
  inline: 'inline (made by a try-on)',
  one_shot: 'one-shot',
};

/** How long the product lives: kept, expired (the sweep has not deleted it yet), or the time left of its TTL. */
function Ttl(props: { product: Product }) {
  const { expiresAt, expired, validForDays } = props.product;
  if (!expiresAt) return <Badge tone="ok">kept until deleted</Badge>;
  if (expired) return <Badge tone="bad">expired</Badge>;
  const left = new Date(expiresAt).getTime() - Date.now();
  const days = Math.floor(left / 86_400_000);
  const text = days >= 1 ? `${days} d left` : `${Math.max(1, Math.round(left / 3_600_000))} h left`;
  return (
    <span title={`Expires ${expiresAt}${validForDays ? `, ${validForDays} days after its last use` : ''}`}>
      <Badge tone={days < 2 ? 'wait' : 'muted'}>{text}</Badge>
      {validForDays ? <span class="muted small"> (TTL {validForDays} d)</span> : null}
    </span>
  );
}
