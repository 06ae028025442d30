/** Small building blocks shared by the pages: links, loading and error states, badges, dates, tables, list footers. */
import { type ButtonHTMLAttributes, type ComponentChildren, cloneElement, isValidElement, type VNode } from 'preact';
import { useId } from 'preact/hooks';
import { describeError } from '../api.js';
import type { Paged } from '../paged.js';
import { followLink, href } from '../router.js';

export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' }) {
  return (
    <a
      href={href(props.to)}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(e) => followLink(e, props.to)}
    >
      {props.children}
    </a>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </p>
  );
}

export function ErrorBox(props: { error: unknown; retry?: () => void }) {
  if (!props.error) return null;
  return (
    <div class="error" role="alert">
      <span>{describeError(props.error)}</span>
      {props.retry ? (
        <button type="button" class="link-button" onClick={props.retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

const STATUS_CLASS: Record<string, string> = {
  COMPLETED: 'ok',
  FAILED: 'bad',
  PENDING: 'wait',
  PROCESSING: 'wait',
};

export function StatusBadge(props: { status: string }) {
  return <span class={`badge ${STATUS_CLASS[props.status] ?? ''}`}>{props.status.toLowerCase()}</span>;
}

export function Badge(props: { tone?: 'ok' | 'bad' | 'wait' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge ${props.tone ?? ''}`}>{props.children}</span>;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When(props: { at: string | null; empty?: string }) {
  if (!props.at) return <span class="muted">{props.empty ?? '—'}</span>;
  const date = new Date(props.at);
  return (
    <time dateTime={props.at} title={props.at}>
      {dateTime.format(date)}
    </time>
  );
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function PageHeader(props: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1 tabIndex={-1}>{props.title}</h1>
      {props.children ? <div class="page-actions">{props.children}</div> : null}
    </header>
  );
}

/**
 * A labelled form control: a `<label for>` and the control (the only child, given the id). The label does not wrap
 * the control, so a select's chosen option or an input's value does not become part of the control's name; the hint
 * is the control's description (aria-describedby).
 */
export function Field(props: {
  label: string;
  hint?: string | undefined;
  children: ComponentChildren;
  class?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const control = isValidElement(props.children)
    ? cloneElement(props.children as VNode<Record<string, unknown>>, {
        id,
        'aria-describedby': props.hint ? hintId : undefined,
      })
    : props.children;
  return (
    <div class={`field ${props.class ?? ''}`}>
      <label class="field-label" htmlFor={id}>
        {props.label}
      </label>
      {control}
      {props.hint ? (
        <span class="hint" id={hintId}>
          {props.hint}
        </span>
      ) : null}
    </div>
  );
}

export function Button(props: ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; variant?: string }) {
  const { busy, variant, children, type, ...rest } = props;
  return (
    <button
      type={(type as 'button' | 'submit' | undefined) ?? 'button'}
      class={`button ${variant ?? ''}`}
      disabled={busy || props.disabled}
      aria-busy={busy ? 'true' : undefined}
      {...rest}
    >
      {busy ? <span class="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

/**
 * A table whose rows stack into labelled blocks on narrow screens (styles.css `table.stack`: each cell shows its
 * `data-label`), scrolling sideways in its wrapper otherwise. `head` is the header row's cells.
 */
export function DataTable(props: { class?: string; head: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class={props.class ? `stack ${props.class}` : 'stack'}>
        <thead>
          <tr>{props.head}</tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/**
 * What follows a paged list's items: the spinner while a page loads, `empty` once a load found nothing (and did not
 * fail: the error box says that), and "Load more" while another page follows.
 */
export function PagedListFooter(props: {
  list: Pick<Paged<unknown>, 'items' | 'loading' | 'error' | 'hasMore' | 'loadMore'>;
  empty: ComponentChildren;
}) {
  const { list } = props;
  return (
    <>
      {list.loading ? <Loading /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? <Empty>{props.empty}</Empty> : null}
      {list.hasMore && !list.loading ? (
        <div class="more">
          <Button onClick={list.loadMore}>Load more</Button>
        </div>
      ) : null}
    </>
  );
}
