/**
 * The playground: a try-on run from the browser through the public API, as a shop's integration would run it.
 * It asks the server for the chosen account's playground key (POST …/playground-key) and keeps it in this page's
 * memory only; then uploads the person photo, picks or registers a product, starts the try-on and polls it until it
 * ends. The try-ons are the account's own: they cost its credits and appear in its gallery.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, admin, publicApi } from '../api.js';
import { AccountSelect } from '../components/account-select.js';
import { CompareSlider } from '../components/compare-slider.js';
import { Button, Empty, ErrorBox, Field, Link, Loading, PageHeader, StatusBadge } from '../components/ui.js';
import { useAction } from '../hooks.js';
import { usePaged } from '../paged.js';
import { accountPath } from '../router.js';
import type { CreatedKey, Page, Product, PublicGeneration, UploadedImage } from '../types.js';

/**
 * The account's playground key, per account, for as long as the page is open. The server keeps at most one live per
 * account (a new one revokes the previous), so reloading the page and running again costs no extra live key.
 */
const playgroundKeys = new Map<string, Promise<string>>();

function keyFor(accountId: string): Promise<string> {
  let key = playgroundKeys.get(accountId);
  if (!key) {
    key = admin.post<CreatedKey>(`${accountPath(accountId)}/playground-key`).then((created) => created.key);
    key.catch(() => playgroundKeys.delete(accountId));
    playgroundKeys.set(accountId, key);
  }
  return key;
}

/**
 * A public-API call with the account's playground key. Another tab (or a reload) asking for the account's key revokes
 * the one this page holds: a 401 INVALID_API_KEY means "ask for a new key", once, not "signed out".
 */
async function withKey<T>(accountId: string, call: (key: string) => Promise<T>): Promise<T> {
  const key = await keyFor(accountId);
  try {
    return await call(key);
  } catch (err) {
    if (!(err instanceof ApiFailure && err.code === 'INVALID_API_KEY')) throw err;
    if (playgroundKeys.get(accountId) !== undefined && (await playgroundKeys.get(accountId)) === key)
      playgroundKeys.delete(accountId);
    return call(await keyFor(accountId));
  }
}

const POLL_MS = 1000;
const TERMINAL = new Set(['COMPLETED', 'FAILED']);

export function PlaygroundPage(props: { query: URLSearchParams }) {
  const [accountId, setAccountId] = useState(props.query.get('accountId') ?? '');
  const [person, setPerson] = useState<UploadedImage | null>(null);
  const [productId, setProductId] = useState<string | null>(null);
  const [productsVersion, setProductsVersion] = useState(0);

  const changeAccount = (id: string) => {
    setAccountId(id);
    setPerson(null);
    setProductId(null);
  };

  return (
    <>
      <PageHeader title="Playground" />
      <p class="muted intro">
        Runs a try-on through the public API (<code>/tryon/v1</code>) with the account's playground key: it costs the
        account a credit. A product titled <code>mock</code> uses the instant mock engine.
      </p>
      <div class="steps">
        <section class="card step" aria-labelledby="step-account">
          <h2 id="step-account">1. Account</h2>
          <AccountSelect value={accountId} onChange={changeAccount} />
        </section>
        <PersonStep accountId={accountId} person={person} onPerson={setPerson} />
        <ProductStep
          accountId={accountId}
          selected={productId}
          onSelect={setProductId}
          version={productsVersion}
          onCreated={(externalId) => {
            setProductsVersion(productsVersion + 1);
            setProductId(externalId);
          }}
        />
      </div>
      <RunStep accountId={accountId} person={person} productExternalId={productId} />
    </>
  );
}

function PersonStep(props: {
  accountId: string;
  person: UploadedImage | null;
  onPerson: (p: UploadedImage | null) => void;
}) {
  const action = useAction();
  const upload = (file: File | undefined) => {
    props.onPerson(null);
    if (!file) return;
    void action.run(async () => {
      const form = new FormData();
      form.append('file', file);
      form.append('externalUserId', 'dashboard-playground');
      props.onPerson(
        await withKey(props.accountId, (key) => publicApi.postForm<UploadedImage>(key, '/images/upload', form)),
      );
    });
  };
  return (
    <section class="card step" aria-labelledby="step-person">
      <h2 id="step-person">2. Person photo</h2>
      <Field label="Photo of the shopper" hint="JPEG, PNG, WebP or HEIC; cropped to 4:5 around the person">
        <input
          type="file"
          accept="image/jpeg,image/png,image/webp,image/heic,image/heif"
          disabled={!props.accountId || action.busy}
          onChange={(e) => upload(e.currentTarget.files?.[0])}
        />
      </Field>
      {!props.accountId ? <p class="hint">Choose an account first.</p> : null}
      {action.busy ? <Loading label="Uploading and cropping…" /> : null}
      <ErrorBox error={action.error} />
      {props.person ? (
        <img class="step-preview" src={props.person.imageUrl} alt="The uploaded person photo, as cropped" />
      ) : null}
    </section>
  );
}

function ProductStep(props: {
  accountId: string;
  selected: string | null;
  onSelect: (externalId: string) => void;
  version: number;
  onCreated: (externalId: string) => void;
}) {
  const [mode, setMode] = useState<'pick' | 'upload'>('pick');
  const products = usePaged<Product>(
    (cursor) =>
      props.accountId
        ? admin.get<Page<Product>>('/products', { accountId: props.accountId, cursor, limit: 24 })
        : Promise.resolve({ data: [], nextCursor: null }),
    [props.accountId, props.version],
  );
  // One-shot products have no reusable external id, and expired ones answer 404: neither can be tried on again.
  const choices = products.items.filter((p) => !p.expired && p.kind !== 'one_shot');
  return (
    <section class="card step" aria-labelledby="step-product">
      <h2 id="step-product">3. Product</h2>
      <div class="segmented" role="radiogroup" aria-label="Product source">
        <label class="check">
          <input type="radio" name="product-mode" checked={mode === 'pick'} onChange={() => setMode('pick')} />
          Pick one
        </label>
        <label class="check">
          <input type="radio" name="product-mode" checked={mode === 'upload'} onChange={() => setMode('upload')} />
          Upload a garment
        </label>
      </div>
      {mode === 'pick' ? (
        <>
          <ErrorBox error={products.error} retry={products.reload} />
          {products.loading ? <Loading /> : null}
          {!props.accountId ? <p class="hint">Choose an account first.</p> : null}
          {props.accountId && !products.loading && !products.error && choices.length === 0 ? (
            <Empty>This account has no products to try on: upload a garment.</Empty>
          ) : null}
          <fieldset class="product-picks">
            <legend class="visually-hidden">Products of the account</legend>
            {choices.map((p) => (
              <label key={p.id} class={`pick ${props.selected === p.externalId ? 'picked' : ''}`}>
                <input
                  type="radio"
                  name="product"
                  value={p.externalId}
                  checked={props.selected === p.externalId}
                  onChange={() => props.onSelect(p.externalId)}
                />
                {p.images[0]?.url ? (
                  <img src={p.images[0].url} alt="" loading="lazy" />
                ) : (
                  <span class="no-image">—</span>
                )}
                <span class="pick-title">{p.title || p.externalId}</span>
              </label>
            ))}
          </fieldset>
          {products.hasMore && !products.loading ? <Button onClick={products.loadMore}>More products</Button> : null}
        </>
      ) : (
        <UploadProduct accountId={props.accountId} onCreated={props.onCreated} />
      )}
    </section>
  );
}

function UploadProduct(props: { accountId: string; onCreated: (externalId: string) => void }) {
  const [title, setTitle] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    if (!file) return;
    void action.run(async () => {
      const externalId = `playground-${Date.now().toString(36)}`;
      const form = new FormData();
      form.append(
        'data',
        JSON.stringify({ externalId, title: title.trim(), images: [{ source: { fileKey: 'image' } }] }),
      );
      form.append('image', file);
      await withKey(props.accountId, (key) => publicApi.postForm<unknown>(key, '/products', form));
      props.onCreated(externalId);
    });
  };
  return (
    <form onSubmit={submit} class="stack-form">
      <Field label="Title" hint="“mock” runs the instant mock engine">
        <input required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <Field label="Garment photo">
        <input
          type="file"
          accept="image/jpeg,image/png,image/webp"
          required
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
      </Field>
      <Button type="submit" variant="primary" busy={action.busy} disabled={!props.accountId || !file}>
        Add product
      </Button>
      <ErrorBox error={action.error} />
    </form>
  );
}

function RunStep(props: { accountId: string; person: UploadedImage | null; productExternalId: string | null }) {
  const [generation, setGeneration] = useState<PublicGeneration | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const [startedAt, setStartedAt] = useState(0);
  const [elapsed, setElapsed] = useState(0);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const ready = Boolean(props.accountId && props.person && props.productExternalId);
  const run = async () => {
    if (!props.person || !props.productExternalId) return;
    setRunning(true);
    setError(null);
    setGeneration(null);
    const began = Date.now();
    setStartedAt(began);
    setElapsed(0);
    try {
      // A 401 answer created nothing, so withKey's one retry with a new key cannot start a second try-on.
      const started = await withKey(props.accountId, (key) =>
        publicApi.postJson<{ generationId: string; status: PublicGeneration['status'] }>(key, '/try-on', {
          products: [{ externalId: props.productExternalId }],
          person: { image: { source: { id: props.person?.imageId } } },
          externalUserId: 'dashboard-playground',
        }),
      );
      const poll = () =>
        withKey(props.accountId, (key) =>
          publicApi.get<PublicGeneration>(key, `/generations/${encodeURIComponent(started.generationId)}`),
        );
      let current = await poll();
      while (alive.current) {
        setGeneration(current);
        setElapsed(Date.now() - began);
        if (TERMINAL.has(current.status)) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        current = await poll();
      }
    } catch (err) {
      if (alive.current) setError(err);
    } finally {
      if (alive.current) setRunning(false);
    }
  };

  return (
    <section class="card run" aria-labelledby="step-run">
      <h2 id="step-run">4. Try it on</h2>
      <div class="form-row">
        <Button variant="primary" busy={running} disabled={!ready || running} onClick={run}>
          Run try-on
        </Button>
        {!ready ? <span class="hint">Choose an account, a person photo and a product.</span> : null}
      </div>
      <div aria-live="polite" class="run-status">
        {generation ? (
          <p>
            <StatusBadge status={generation.status} /> <span class="mono">{generation.generationId}</span>{' '}
            <span class="muted">
              {running ? 'polling… ' : ''}
              {(elapsed / 1000).toFixed(1)} s
            </span>
          </p>
        ) : running && startedAt ? (
          <Loading label="Starting…" />
        ) : null}
        {generation?.status === 'FAILED' ? (
          <div class="error" role="alert">
            {generation.errorMessage ?? 'The try-on failed.'} {generation.errorCode ? `(${generation.errorCode})` : ''}{' '}
            The credit was refunded.
          </div>
        ) : null}
      </div>
      <ErrorBox error={error} />
      {generation?.status === 'COMPLETED' && generation.resultImageUrl && props.person ? (
        <>
          <CompareSlider
            before={props.person.imageUrl}
            after={generation.resultImageUrl}
            beforeAlt="The person photo before the try-on"
            afterAlt="The try-on result"
          />
          <p>
            <Link to={`/generations/${encodeURIComponent(generation.generationId)}`}>
              See this generation in the gallery
            </Link>
          </p>
        </>
      ) : null}
    </section>
  );
}
