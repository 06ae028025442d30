/**
 * An account's webhooks (docs/webhooks.md): its endpoint and signing secret (shown once when made or rotated), and
 * the log of deliveries with each attempt, any of which can be sent again.
 */
import { useState } from 'preact/hooks';
import { admin } from '../api.js';
import { ShownOnce } from '../components/shown-once.js';
import { Badge, Button, DataTable, ErrorBox, Field, Link, Loading, PagedListFooter, When } from '../components/ui.js';
import { useAction, useLoad } from '../hooks.js';
import { type Paged, usePaged } from '../paged.js';
import { accountPath } from '../router.js';
import type { Page, WebhookDelivery, WebhookEndpoint } from '../types.js';

export function Webhooks(props: { accountId: string }) {
  const base = accountPath(props.accountId);
  const endpoint = useLoad(() => admin.get<WebhookEndpoint>(`${base}/webhook`), [base]);
  const deliveries = usePaged<WebhookDelivery>(
    (cursor) => admin.get<Page<WebhookDelivery>>(`${base}/webhooks`, { cursor, limit: 25 }),
    [base],
  );
  return (
    <>
      {endpoint.loading && !endpoint.data ? <Loading /> : null}
      <ErrorBox error={endpoint.error} retry={endpoint.reload} />
      {endpoint.data ? <Endpoint base={base} endpoint={endpoint.data} onChanged={endpoint.set} /> : null}
      <Deliveries base={base} deliveries={deliveries} />
    </>
  );
}

function Endpoint(props: { base: string; endpoint: WebhookEndpoint; onChanged: (e: WebhookEndpoint) => void }) {
  const [url, setUrl] = useState(props.endpoint.webhookUrl ?? '');
  const [secret, setSecret] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const save = (next: string | null) =>
    void action.run(async () => {
      setSaved(false);
      const answer = await admin.put<{ webhookUrl: string | null; webhookSecret?: string }>(`${props.base}/webhook`, {
        url: next,
      });
      props.onChanged({ webhookUrl: answer.webhookUrl, hasSecret: props.endpoint.hasSecret || !!answer.webhookSecret });
      setUrl(answer.webhookUrl ?? '');
      if (answer.webhookSecret) setSecret(answer.webhookSecret);
      setSaved(true);
    });
  const rotate = () => {
    if (!window.confirm('Make a new signing secret? Signatures made with the old one stop verifying at once.')) return;
    void action.run(async () => {
      const answer = await admin.post<{ webhookSecret: string }>(`${props.base}/webhook/rotate-secret`);
      setSecret(answer.webhookSecret);
      props.onChanged({ ...props.endpoint, hasSecret: true });
    });
  };

  return (
    <form
      class="card"
      aria-labelledby="webhook-title"
      onSubmit={(e) => {
        e.preventDefault();
        save(url.trim() === '' ? null : url.trim());
      }}
    >
      <h2 id="webhook-title">Endpoint</h2>
      <p class="muted">
        Signed events (<code>generation.completed</code>, <code>generation.failed</code>) are POSTed here when a
        generation of this account ends.
      </p>
      <div class="form-row">
        <Field label="Webhook URL" hint="http(s); empty: no endpoint">
          <input
            type="url"
            inputMode="url"
            maxLength={2048}
            placeholder="https://shop.example/hooks/fitroom"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </Field>
        <Button type="submit" variant="primary" busy={action.busy}>
          Save endpoint
        </Button>
        {props.endpoint.webhookUrl ? (
          <Button variant="danger" onClick={() => save(null)} disabled={action.busy}>
            Remove
          </Button>
        ) : null}
        {props.endpoint.hasSecret ? (
          <Button onClick={rotate} disabled={action.busy}>
            Rotate secret
          </Button>
        ) : null}
      </div>
      {saved && !secret ? (
        <p class="success" role="status">
          Saved.
        </p>
      ) : null}
      {secret ? (
        <ShownOnce value={secret} what="signing secret" label="The signing secret" onDone={() => setSecret(null)} />
      ) : null}
      <ErrorBox error={action.error} />
    </form>
  );
}

const STATUS_TONE: Record<WebhookDelivery['status'], 'ok' | 'bad' | 'wait'> = {
  delivered: 'ok',
  failed: 'bad',
  pending: 'wait',
};

function Deliveries(props: { base: string; deliveries: Paged<WebhookDelivery> }) {
  const list = props.deliveries;
  const action = useAction();
  const [sent, setSent] = useState<string | null>(null);
  const redeliver = (d: WebhookDelivery) =>
    void action.run(async () => {
      setSent(null);
      await admin.post(`${props.base}/webhooks/${encodeURIComponent(d.eventId)}/redeliver`);
      setSent(d.eventId);
      list.reload();
    });

  return (
    <div class="card">
      <div class="card-header">
        <h2>Deliveries</h2>
        <Button onClick={list.reload} busy={list.loading}>
          Refresh
        </Button>
      </div>
      <ErrorBox error={list.error ?? action.error} retry={list.error ? list.reload : undefined} />
      {sent ? (
        <p class="success" role="status">
          Event <span class="mono">{sent}</span> queued again.
        </p>
      ) : null}
      {list.items.length > 0 ? (
        <DataTable
          head={
            <>
              <th>When</th>
              <th>Event</th>
              <th>Generation</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </>
          }
        >
          {list.items.map((d) => {
            const last = d.attempts[d.attempts.length - 1];
            return (
              <tr key={d.deliveryId}>
                <td data-label="When">
                  <When at={d.createdAt} />
                </td>
                <td data-label="Event">
                  <code>{d.type}</code> <span class="mono muted small">{d.eventId}</span>
                </td>
                <td data-label="Generation">
                  <Link class="mono" to={`/generations/${encodeURIComponent(d.generationId)}`}>
                    {d.generationId}
                  </Link>
                </td>
                <td data-label="Status">
                  <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                  {d.nextAttemptAt ? (
                    <span class="muted small">
                      {' '}
                      next <When at={d.nextAttemptAt} />
                    </span>
                  ) : null}
                </td>
                <td data-label="Attempts">
                  {d.attempts.length}
                  {last ? (
                    <span class="muted small" title={last.error ?? undefined}>
                      {' '}
                      (last: {last.statusCode ?? last.error ?? 'no answer'}, {last.durationMs} ms)
                    </span>
                  ) : null}
                </td>
                <td data-label="">
                  <Button
                    onClick={() => redeliver(d)}
                    disabled={action.busy}
                    aria-label={`Redeliver event ${d.eventId}`}
                  >
                    Redeliver
                  </Button>
                </td>
              </tr>
            );
          })}
        </DataTable>
      ) : null}
      <PagedListFooter list={list} empty="No deliveries yet." />
    </div>
  );
}
