/** A select of accounts (the first 100, newest first), for filters and the playground. */
import { admin } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Account, Page } from '../types.js';
import { Field } from './ui.js';

export function AccountSelect(props: {
  value: string;
  onChange: (accountId: string) => void;
  label?: string;
  /** The option for "no account chosen": "All accounts" in filters, absent where one is required. */
  anyLabel?: string;
  onAccounts?: (accounts: Account[]) => void;
}) {
  const accounts = useLoad(async () => {
    const page = await admin.get<Page<Account>>('/accounts', { limit: 100 });
    props.onAccounts?.(page.data);
    return page.data;
  }, []);
  return (
    <Field label={props.label ?? 'Account'} hint={accounts.error ? 'Accounts could not be loaded.' : undefined}>
      <select
        value={props.value}
        disabled={accounts.loading && !accounts.data}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        {props.anyLabel !== undefined ? <option value="">{props.anyLabel}</option> : null}
        {props.anyLabel === undefined && props.value === '' ? (
          <option value="">{accounts.loading ? 'Loading…' : 'Choose an account'}</option>
        ) : null}
        {(accounts.data ?? []).map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} ({a.id})
          </option>
        ))}
      </select>
    </Field>
  );
}
