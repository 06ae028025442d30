/** One account: its settings and watermark logo, its API keys, its credits and ledger, its webhooks. */
import { useEffect, useState } from 'preact/hooks';
import { admin } from '../api.js';
import { AccountNameField, RateLimitField, RetentionField } from '../components/account-fields.js';
import { EngineSelect } from '../components/engine-select.js';
import { ShownOnce } from '../components/shown-once.js';
import {
  Badge,
  Button,
  DataTable,
  ErrorBox,
  Field,
  Link,
  Loading,
  PagedListFooter,
  PageHeader,
  When,
} from '../components/ui.js';
import { useAction, useLoad } from '../hooks.js';
import { usePaged } from '../paged.js';
import { accountPath, navigate } from '../router.js';
import type { Account, ApiKey, CreatedKey, LedgerEntry, Page } from '../types.js';
import { Webhooks } from './account-webhooks.js';

const TABS = [
  { id: 'settings', label: 'Settings' },
  { id: 'keys', label: 'API keys' },
  { id: 'credits', label: 'Credits' },
  { id: 'webhooks', label: 'Webhooks' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function AccountPage(props: { id: string; tab: string | null }) {
  const account = useLoad(() => admin.get<Account>(accountPath(props.id)), [props.id]);
  const tab: Tab = TABS.some((t) => t.id === props.tab) ? (props.tab as Tab) : 'settings';
  const a = account.data;
  const base = accountPath(props.id);

  return (
    <>
      <p class="crumbs">
        <Link to="/accounts">Accounts</Link> /
      </p>
      <PageHeader title={a ? a.name : 'Account'}>
        {a ? (
          <>
            <Link class="button" to={`/generations?accountId=${encodeURIComponent(a.id)}`}>
              Generations
            </Link>
            <Link class="button" to={`/playground?accountId=${encodeURIComponent(a.id)}`}>
              Try it in the playground
            </Link>
          </>
        ) : null}
      </PageHeader>
      {account.loading && !a ? <Loading /> : null}
      <ErrorBox error={account.error} retry={account.reload} />
      {a ? (
        <>
          <dl class="facts card">
            <div>
              <dt>Id</dt>
              <dd class="mono">{a.id}</dd>
            </div>
            <div>
              <dt>Credits</dt>
              <dd data-testid="balance">{a.creditBalance}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>{a.disabled ? <Badge tone="bad">disabled</Badge> : <Badge tone="ok">active</Badge>}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <When at={a.createdAt} />
              </dd>
            </div>
          </dl>
          <div class="tabs" role="tablist" aria-label="Account sections">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id ? 'true' : 'false'}
                aria-controls={`panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => navigate(`${base}?tab=${t.id}`, { replace: true })}
                onKeyDown={(e) => {
                  const i = TABS.findIndex((x) => x.id === tab);
                  const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                  if (!step) return;
                  const next = TABS[(i + step + TABS.length) % TABS.length]!;
                  navigate(`${base}?tab=${next.id}`, { replace: true });
                  document.getElementById(`tab-${next.id}`)?.focus();
                }}
              >
                {t.label}
              </button>
            ))}
          </div>
          <section role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
            {tab === 'settings' ? (
              <>
                <Settings account={a} onSaved={account.set} />
                <Logo account={a} onSaved={account.set} />
              </>
            ) : null}
            {tab === 'keys' ? <Keys accountId={a.id} /> : null}
            {tab === 'webhooks' ? <Webhooks accountId={a.id} /> : null}
            {tab === 'credits' ? (
              <Credits account={a} onBalance={(creditBalance) => account.set({ ...a, creditBalance })} />
            ) : null}
          </section>
        </>
      ) : null}
    </>
  );
}

function Settings(props: { account: Account; onSaved: (a: Account) => void }) {
  const a = props.account;
  const [name, setName] = useState(a.name);
  const [rateLimit, setRateLimit] = useState(a.rateLimitPerMin === null ? '' : String(a.rateLimitPerMin));
  const [retention, setRetention] = useState(String(a.retentionDays));
  const [engine, setEngine] = useState(a.engine ?? '');
  const [checks, setChecks] = useState(a.engineChecks ?? '');
  const [identity, setIdentity] = useState(a.identityPass === null ? '' : a.identityPass ? 'on' : 'off');
  const [disabled, setDisabled] = useState(a.disabled);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    void action.run(async () => {
      const updated = await admin.patch<Account>(accountPath(a.id), {
        name: name.trim(),
        rateLimitPerMin: rateLimit === '' ? null : Number(rateLimit),
        retentionDays: Number(retention),
        engine: engine === '' ? null : engine,
        engineChecks: checks === '' ? null : checks,
        identityPass: identity === '' ? null : identity === 'on',
        disabled,
      });
      props.onSaved(updated);
      setSaved(true);
    });
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div class="form-grid">
        <AccountNameField value={name} onChange={setName} />
        <RateLimitField value={rateLimit} onChange={setRateLimit} />
        <RetentionField value={retention} onChange={setRetention} />
        <EngineSelect value={engine} onChange={setEngine} />
        <Field label="Engine checks">
          <select value={checks} onChange={(e) => setChecks(e.currentTarget.value)}>
            <option value="">Server default</option>
            <option value="strict">strict</option>
            <option value="lenient">lenient</option>
          </select>
        </Field>
        <Field label="Identity pass" hint="Hosted engines: the person's own pixels kept outside the garment">
          <select value={identity} onChange={(e) => setIdentity(e.currentTarget.value)}>
            <option value="">Server default</option>
            <option value="on">on</option>
            <option value="off">off</option>
          </select>
        </Field>
      </div>
      <label class="check">
        <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.currentTarget.checked)} />
        Disabled (its keys are refused)
      </label>
      <ErrorBox error={action.error} />
      <div class="form-row actions">
        <Button type="submit" variant="primary" busy={action.busy}>
          Save settings
        </Button>
        {saved ? (
          <span class="success" role="status">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

/** The watermark logo: the current one, a preview of the picked file before upload, upload and removal. */
function Logo(props: { account: Account; onSaved: (a: Account) => void }) {
  const a = props.account;
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const action = useAction();
  const logoUrl = `/admin/v1${accountPath(a.id)}/logo?v=${encodeURIComponent(a.updatedAt)}`;

  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const upload = (e: Event) => {
    e.preventDefault();
    if (!file) return;
    void action.run(async () => {
      const form = new FormData();
      form.append('file', file);
      props.onSaved(await admin.put<Account>(`${accountPath(a.id)}/logo`, form));
      setFile(null);
      (e.target as HTMLFormElement).reset();
    });
  };
  const remove = () =>
    void action.run(async () => {
      props.onSaved(await admin.delete<Account>(`${accountPath(a.id)}/logo`));
    });

  return (
    <form class="card" onSubmit={upload} aria-labelledby="logo-title">
      <h2 id="logo-title">Watermark logo</h2>
      <p class="muted">Drawn bottom-right on every new result, unless a request asks for no watermark.</p>
      <div class="logo-row">
        <figure class="logo-box">
          {a.hasLogo ? <img src={logoUrl} alt={`Current logo of ${a.name}`} /> : <span class="muted">No logo</span>}
          <figcaption>Current</figcaption>
        </figure>
        {preview ? (
          <figure class="logo-box">
            <img src={preview} alt="Preview of the picked logo" />
            <figcaption>Preview</figcaption>
          </figure>
        ) : null}
      </div>
      <div class="form-row">
        <Field label="Logo file" hint="PNG, JPEG or WebP; transparency is kept">
          <input
            type="file"
            name="logo"
            accept="image/png,image/jpeg,image/webp"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </Field>
        <Button type="submit" variant="primary" busy={action.busy} disabled={!file}>
          Upload logo
        </Button>
        {a.hasLogo ? (
          <Button variant="danger" onClick={remove} disabled={action.busy}>
            Remove logo
          </Button>
        ) : null}
      </div>
      <ErrorBox error={action.error} />
    </form>
  );
}

function Keys(props: { accountId: string }) {
  const path = `${accountPath(props.accountId)}/keys`;
  const keys = usePaged<ApiKey>((cursor) => admin.get<Page<ApiKey>>(path, { cursor }), [path]);
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const action = useAction();

  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const result = await admin.post<CreatedKey>(path, label.trim() ? { label: label.trim() } : {});
      setCreated(result);
      setLabel('');
      keys.reload();
    });
  };
  const revoke = (key: ApiKey) => {
    if (!window.confirm(`Revoke the key ${key.prefix}…? Clients using it get 401 at once.`)) return;
    void action.run(async () => {
      const revoked = await admin.delete<ApiKey>(`${path}/${encodeURIComponent(key.id)}`);
      keys.update((k) => k.id === key.id, revoked);
    });
  };

  return (
    <>
      <form class="card" onSubmit={create} aria-labelledby="new-key-title">
        <h2 id="new-key-title">New API key</h2>
        <div class="form-row">
          <Field label="Label" hint="Optional: where the key is used">
            <input maxLength={100} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
          </Field>
          <Button type="submit" variant="primary" busy={action.busy}>
            Create key
          </Button>
        </div>
        {created ? (
          <ShownOnce value={created.key} what="key" label="The new API key" onDone={() => setCreated(null)} />
        ) : null}
        <ErrorBox error={action.error} />
      </form>
      <div class="card">
        <h2>Keys</h2>
        <ErrorBox error={keys.error} retry={keys.reload} />
        {keys.items.length > 0 ? (
          <DataTable
            head={
              <>
                <th>Key</th>
                <th>Label</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Status</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </>
            }
          >
            {keys.items.map((k) => (
              <tr key={k.id}>
                <td data-label="Key" class="mono">
                  {k.prefix}…
                </td>
                <td data-label="Label">{k.label ?? <span class="muted">—</span>}</td>
                <td data-label="Created">
                  <When at={k.createdAt} />
                </td>
                <td data-label="Last used">
                  <When at={k.lastUsedAt} empty="never" />
                </td>
                <td data-label="Status">
                  {k.revokedAt ? <Badge tone="bad">revoked</Badge> : <Badge tone="ok">active</Badge>}
                </td>
                <td data-label="">
                  {k.revokedAt ? null : (
                    <Button variant="danger" onClick={() => revoke(k)} aria-label={`Revoke key ${k.prefix}`}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        ) : null}
        <PagedListFooter list={keys} empty="No keys." />
      </div>
    </>
  );
}

const REASONS: Record<LedgerEntry['reason'], string> = {
  grant: 'granted at creation',
  top_up: 'top-up',
  adjustment: 'taken back',
  generation_debit: 'try-on',
  generation_refund: 'refund (failed try-on)',
};

function Credits(props: { account: Account; onBalance: (balance: number) => void }) {
  const path = accountPath(props.account.id);
  const ledger = usePaged<LedgerEntry>((cursor) => admin.get<Page<LedgerEntry>>(`${path}/ledger`, { cursor }), [path]);
  const [amount, setAmount] = useState('100');
  const [note, setNote] = useState('');
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const result = await admin.post<{ balance: number; entry: LedgerEntry }>(`${path}/credits`, {
        amount: Number(amount),
        note: note.trim(),
      });
      props.onBalance(result.balance);
      setNote('');
      ledger.reload();
    });
  };

  return (
    <>
      <form class="card" onSubmit={submit} aria-labelledby="top-up-title">
        <h2 id="top-up-title">Top up</h2>
        <div class="form-row">
          <Field label="Credits" hint="Negative to take credits back (never below 0)">
            <input type="number" step={1} required value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
          </Field>
          <Field label="Reason" hint="Kept in the ledger: an invoice number, a goodwill gesture…">
            <input required maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </Field>
          <Button type="submit" variant="primary" busy={action.busy} disabled={Number(amount) === 0}>
            {Number(amount) < 0 ? 'Take back credits' : 'Add credits'}
          </Button>
        </div>
        <ErrorBox error={action.error} />
      </form>
      <div class="card">
        <h2>Ledger</h2>
        <ErrorBox error={ledger.error} retry={ledger.reload} />
        {ledger.items.length > 0 ? (
          <DataTable
            class="ledger"
            head={
              <>
                <th>When</th>
                <th class="num">Change</th>
                <th>Kind</th>
                <th>Reason</th>
                <th>Generation</th>
                <th class="num">Balance</th>
              </>
            }
          >
            {ledger.items.map((entry) => (
              <tr key={entry.id}>
                <td data-label="When">
                  <When at={entry.createdAt} />
                </td>
                <td data-label="Change" class={`num ${entry.delta > 0 ? 'plus' : 'minus'}`}>
                  {entry.delta > 0 ? `+${entry.delta}` : entry.delta}
                </td>
                <td data-label="Kind">{REASONS[entry.reason] ?? entry.reason}</td>
                <td data-label="Reason">{entry.note ?? <span class="muted">—</span>}</td>
                <td data-label="Generation">
                  {entry.generationId ? (
                    <Link class="mono" to={`/generations/${encodeURIComponent(entry.generationId)}`}>
                      {entry.generationId}
                    </Link>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                <td data-label="Balance" class="num">
                  {entry.balanceAfter}
                </td>
              </tr>
            ))}
          </DataTable>
        ) : null}
        <PagedListFooter list={ledger} empty="No ledger entries." />
      </div>
    </>
  );
}
