/** The gallery of generations: person | product | result, with status, error code and duration; filters in the URL. */
import { useState } from 'preact/hooks';
import { admin, withQuery } from '../api.js';
import { AccountSelect } from '../components/account-select.js';
import { Thumb } from '../components/thumb.js';
import {
  Button,
  duration,
  ErrorBox,
  Field,
  Link,
  PagedListFooter,
  PageHeader,
  StatusBadge,
  When,
} from '../components/ui.js';
import { useAccountNames } from '../hooks.js';
import { usePaged } from '../paged.js';
import { accountPath, navigate } from '../router.js';
import { GENERATION_STATUSES, type Generation, type Page } from '../types.js';

/** A date input's day as the ISO instants that bound it, in the browser's time zone. */
function dayStart(day: string): string | null {
  return day ? new Date(`${day}T00:00:00`).toISOString() : null;
}
function dayEnd(day: string): string | null {
  return day ? new Date(new Date(`${day}T00:00:00`).getTime() + 86_400_000).toISOString() : null;
}

export function GenerationsPage(props: { query: URLSearchParams }) {
  const q = props.query;
  const filters = {
    accountId: q.get('accountId') ?? '',
    status: q.get('status') ?? '',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
  };
  const [draft, setDraft] = useState(filters);
  const [names, learnNames] = useAccountNames();
  const list = usePaged<Generation>(
    (cursor) =>
      admin.get<Page<Generation>>('/generations', {
        accountId: filters.accountId,
        status: filters.status,
        from: dayStart(filters.from),
        to: dayEnd(filters.to),
        cursor,
        limit: 48,
      }),
    [filters.accountId, filters.status, filters.from, filters.to],
  );

  const apply = (e: Event) => {
    e.preventDefault();
    navigate(withQuery('/generations', draft), { replace: true });
  };

  return (
    <>
      <PageHeader title="Generations">
        <Button onClick={list.reload} busy={list.loading}>
          Refresh
        </Button>
      </PageHeader>
      <form class="form-row card filters" aria-label="Filters" onSubmit={apply}>
        <AccountSelect
          value={draft.accountId}
          onChange={(accountId) => setDraft({ ...draft, accountId })}
          anyLabel="All accounts"
          onAccounts={learnNames}
        />
        <Field label="Status">
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}>
            <option value="">Any status</option>
            {GENERATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From">
          <input type="date" value={draft.from} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
        </Field>
        <Field label="To">
          <input type="date" value={draft.to} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
        </Field>
        <Button type="submit">Apply filters</Button>
        <p class="hint filters-note">Dates are days in your time zone, both included.</p>
      </form>
      <ErrorBox error={list.error} retry={list.reload} />
      {list.items.length > 0 ? (
        <ul class="grid gallery">
          {list.items.map((g) => (
            <li key={g.id} class="card generation" data-generation-id={g.id}>
              <div class="triptych">
                <Thumb src={g.personImageUrl} label="Person" />
                <Thumb src={g.productImageUrl} label="Product" />
                <Thumb src={g.resultImageUrl} label="Result" />
              </div>
              <div class="generation-line">
                <StatusBadge status={g.status} />
                {g.errorCode ? <code class="error-code">{g.errorCode}</code> : null}
                <span class="muted">{duration(g.durationMs)}</span>
              </div>
              <p class="generation-title">
                <Link to={`/generations/${encodeURIComponent(g.id)}`}>{g.productTitle || g.productExternalId}</Link>
              </p>
              <p class="muted small">
                <When at={g.createdAt} /> ·{' '}
                <Link to={accountPath(g.accountId)}>{names.get(g.accountId) ?? g.accountId}</Link>
              </p>
            </li>
          ))}
        </ul>
      ) : null}
      <PagedListFooter list={list} empty="No generations match." />
    </>
  );
}
