/** Accounts: search, the list with balances and settings, and a form to create one. */
import { useState } from 'preact/hooks';
import { admin } from '../api.js';
import { AccountNameField, RateLimitField, RetentionField } from '../components/account-fields.js';
import { EngineSelect } from '../components/engine-select.js';
import {
  Badge,
  Button,
  DataTable,
  ErrorBox,
  Field,
  Link,
  PagedListFooter,
  PageHeader,
  When,
} from '../components/ui.js';
import { useAction } from '../hooks.js';
import { usePaged } from '../paged.js';
import { accountPath, navigate } from '../router.js';
import type { Account, Page } from '../types.js';

export function AccountsPage() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [creating, setCreating] = useState(false);
  const list = usePaged<Account>(
    (cursor) => admin.get<Page<Account>>('/accounts', { search: applied, cursor, limit: 50 }),
    [applied],
  );

  return (
    <>
      <PageHeader title="Accounts">
        <Button variant="primary" onClick={() => setCreating(!creating)} aria-expanded={creating ? 'true' : 'false'}>
          New account
        </Button>
      </PageHeader>
      {creating ? <CreateAccount onCancel={() => setCreating(false)} /> : null}
      <form
        class="form-row card"
        aria-label="Search accounts"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(search.trim());
        }}
      >
        <Field label="Search accounts" hint="Name or id, any part of it">
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </Field>
        <Button type="submit">Search</Button>
      </form>
      <ErrorBox error={list.error} retry={list.reload} />
      {list.items.length > 0 ? (
        <DataTable
          head={
            <>
              <th>Name</th>
              <th>Id</th>
              <th class="num">Credits</th>
              <th class="num">Rate limit</th>
              <th class="num">Retention</th>
              <th>Engine</th>
              <th>Logo</th>
              <th>Created</th>
            </>
          }
        >
          {list.items.map((a) => (
            <tr key={a.id}>
              <td data-label="Name">
                <Link to={accountPath(a.id)}>{a.name}</Link> {a.disabled ? <Badge tone="bad">disabled</Badge> : null}
              </td>
              <td data-label="Id" class="mono">
                {a.id}
              </td>
              <td data-label="Credits" class="num">
                {a.creditBalance}
              </td>
              <td data-label="Rate limit" class="num">
                {a.rateLimitPerMin === null ? <span class="muted">default</span> : `${a.rateLimitPerMin}/min`}
              </td>
              <td data-label="Retention" class="num">
                {a.retentionDays} d
              </td>
              <td data-label="Engine">{a.engine ?? <span class="muted">default</span>}</td>
              <td data-label="Logo">{a.hasLogo ? 'yes' : <span class="muted">none</span>}</td>
              <td data-label="Created">
                <When at={a.createdAt} />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <PagedListFooter list={list} empty={applied ? `No account matches “${applied}”.` : 'No accounts yet.'} />
    </>
  );
}

function CreateAccount(props: { onCancel: () => void }) {
  const [name, setName] = useState('');
  const [credits, setCredits] = useState('100');
  const [rateLimit, setRateLimit] = useState('');
  const [retention, setRetention] = useState('7');
  const [engine, setEngine] = useState('');
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const created = await admin.post<Account>('/accounts', {
        name: name.trim(),
        credits: Number(credits),
        ...(rateLimit ? { rateLimitPerMin: Number(rateLimit) } : {}),
        retentionDays: Number(retention),
        ...(engine ? { engine } : {}),
      });
      navigate(`${accountPath(created.id)}?tab=keys`);
    });
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-account-title">
      <h2 id="new-account-title">New account</h2>
      <div class="form-grid">
        <AccountNameField value={name} onChange={setName} />
        <Field label="Credits">
          <input
            type="number"
            min={0}
            step={1}
            required
            value={credits}
            onInput={(e) => setCredits(e.currentTarget.value)}
          />
        </Field>
        <RateLimitField value={rateLimit} onChange={setRateLimit} />
        <RetentionField value={retention} onChange={setRetention} />
        <EngineSelect value={engine} onChange={setEngine} />
      </div>
      <ErrorBox error={action.error} />
      <div class="form-row actions">
        <Button type="submit" variant="primary" busy={action.busy}>
          Create account
        </Button>
        <Button onClick={props.onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
