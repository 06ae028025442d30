/** Usage: generations, failures and credits per day and per account, as charts and tables. */
import { useState } from 'preact/hooks';
import { admin, withQuery } from '../api.js';
import { AccountSelect } from '../components/account-select.js';
import { BarChart } from '../components/bar-chart.js';
import { Button, DataTable, Empty, ErrorBox, Field, Link, Loading, PageHeader } from '../components/ui.js';
import { useAccountNames, useLoad } from '../hooks.js';
import { accountPath, navigate } from '../router.js';
import type { UsageDay } from '../types.js';

const DAY = 86_400_000;

function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Every day from `from` to `to` (YYYY-MM-DD, UTC), so that days without activity show as zero. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < 400; t += DAY)
    out.push(isoDay(t));
  return out;
}

interface Totals {
  generations: number;
  completed: number;
  failed: number;
  creditsUsed: number;
  creditsAdded: number;
  creditsRemoved: number;
}

const zero = (): Totals => ({
  generations: 0,
  completed: 0,
  failed: 0,
  creditsUsed: 0,
  creditsAdded: 0,
  creditsRemoved: 0,
});
function add(t: Totals, d: UsageDay): void {
  t.generations += d.generations;
  t.completed += d.completed;
  t.failed += d.failed;
  t.creditsUsed += d.creditsUsed;
  t.creditsAdded += d.creditsAdded;
  t.creditsRemoved += d.creditsRemoved;
}

export function UsagePage(props: { query: URLSearchParams }) {
  const today = isoDay(Date.now());
  const from = props.query.get('from') ?? isoDay(Date.now() - 29 * DAY);
  const to = props.query.get('to') ?? today;
  const accountId = props.query.get('accountId') ?? '';
  const [draft, setDraft] = useState({ from, to, accountId });
  const [names, learnNames] = useAccountNames();
  const usage = useLoad(
    () =>
      admin.get<{ days: UsageDay[] }>('/usage', {
        from: `${from}T00:00:00.000Z`,
        to: new Date(Date.parse(`${to}T00:00:00Z`) + DAY).toISOString(),
        accountId,
      }),
    [from, to, accountId],
  );

  const apply = (e: Event) => {
    e.preventDefault();
    // from and to are required inputs, so never left out.
    navigate(withQuery('/usage', draft), { replace: true });
  };

  const labels = daysBetween(from, to);
  const perDay = new Map(labels.map((d) => [d, zero()]));
  const perAccount = new Map<string, Totals>();
  for (const d of usage.data?.days ?? []) {
    const day = perDay.get(d.date);
    if (day) add(day, d);
    const account = perAccount.get(d.accountId) ?? zero();
    add(account, d);
    perAccount.set(d.accountId, account);
  }
  const days = labels.map((d) => perDay.get(d) ?? zero());
  const accounts = [...perAccount.entries()].sort((a, b) => b[1].generations - a[1].generations);
  const maxGenerations = Math.max(1, ...accounts.map(([, t]) => t.generations));
  const maxFailed = Math.max(1, ...accounts.map(([, t]) => t.failed));
  const maxUsed = Math.max(1, ...accounts.map(([, t]) => t.creditsUsed));

  return (
    <>
      <PageHeader title="Usage" />
      <form class="form-row card filters" aria-label="Period and account" onSubmit={apply}>
        <Field label="From">
          <input
            type="date"
            required
            value={draft.from}
            onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
          />
        </Field>
        <Field label="To">
          <input
            type="date"
            required
            value={draft.to}
            onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
          />
        </Field>
        <AccountSelect
          value={draft.accountId}
          onChange={(id) => setDraft({ ...draft, accountId: id })}
          anyLabel="All accounts"
          onAccounts={learnNames}
        />
        <Button type="submit">Show</Button>
        <p class="hint filters-note">Days are UTC days, as the server counts them, both included.</p>
      </form>
      <ErrorBox error={usage.error} retry={usage.reload} />
      {usage.loading ? <Loading /> : null}
      {usage.data ? (
        <>
          <div class="charts">
            <div class="card">
              <BarChart
                title="Generations per day"
                labels={labels}
                stacked
                series={[
                  { label: 'completed', tone: 's-ok', values: days.map((d) => d.completed) },
                  { label: 'failed', tone: 's-bad', values: days.map((d) => d.failed) },
                  {
                    label: 'pending',
                    tone: 's-wait',
                    values: days.map((d) => Math.max(0, d.generations - d.completed - d.failed)),
                  },
                ]}
              />
            </div>
            <div class="card">
              <BarChart
                title="Failures per day"
                labels={labels}
                stacked
                series={[{ label: 'failed', tone: 's-bad', values: days.map((d) => d.failed) }]}
              />
            </div>
            <div class="card">
              <BarChart
                title="Credits used per day"
                labels={labels}
                stacked
                series={[
                  { label: 'used (debits less refunds)', tone: 's-used', values: days.map((d) => d.creditsUsed) },
                ]}
              />
            </div>
            <div class="card">
              <BarChart
                title="Credits added per day"
                labels={labels}
                stacked={false}
                series={[
                  { label: 'added', tone: 's-added', values: days.map((d) => d.creditsAdded) },
                  { label: 'taken back', tone: 's-removed', values: days.map((d) => d.creditsRemoved) },
                ]}
              />
            </div>
          </div>
          <div class="card">
            <h2>Per account</h2>
            {accounts.length === 0 ? (
              <Empty>No activity in this period.</Empty>
            ) : (
              <DataTable
                head={
                  <>
                    <th>Account</th>
                    <th>Generations</th>
                    <th class="num">Completed</th>
                    <th>Failed</th>
                    <th>Credits used</th>
                    <th class="num">Credits added</th>
                    <th class="num">Taken back</th>
                  </>
                }
              >
                {accounts.map(([id, t]) => (
                  <tr key={id}>
                    <td data-label="Account">
                      <Link to={accountPath(id)}>{names.get(id) ?? id}</Link>
                      {names.has(id) ? <span class="mono muted small"> {id}</span> : null}
                    </td>
                    <td data-label="Generations">
                      <HBar value={t.generations} max={maxGenerations} tone="" />
                    </td>
                    <td data-label="Completed" class="num">
                      {t.completed}
                    </td>
                    <td data-label="Failed">
                      <HBar value={t.failed} max={maxFailed} tone="bad" />
                    </td>
                    <td data-label="Credits used">
                      <HBar value={t.creditsUsed} max={maxUsed} tone="" />
                    </td>
                    <td data-label="Credits added" class="num">
                      {t.creditsAdded}
                    </td>
                    <td data-label="Taken back" class="num">
                      {t.creditsRemoved}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </div>
        </>
      ) : null}
    </>
  );
}

/** A number with a bar as long as its share of the column's largest (the per-account chart). */
function HBar(props: { value: number; max: number; tone: '' | 'bad' }) {
  return (
    <span class="hbar">
      <span class={`hbar-fill ${props.tone}`} style={{ width: `${(props.value / props.max) * 120}px` }} />
      {props.value}
    </span>
  );
}
