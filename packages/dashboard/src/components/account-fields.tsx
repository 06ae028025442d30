/**
 * The settings an account is made with and edited by (name, rate limit, retention), as the new-account form and the
 * settings tab both ask for them: the values as the inputs hold them (strings), the limits the server checks.
 */
import { Field } from './ui.js';

interface TextFieldProps {
  value: string;
  onChange: (value: string) => void;
}

export function AccountNameField(props: TextFieldProps) {
  return (
    <Field label="Name">
      <input required maxLength={200} value={props.value} onInput={(e) => props.onChange(e.currentTarget.value)} />
    </Field>
  );
}

/** The account's rate limit per minute; empty: the deployment's RATE_LIMIT_PER_MIN (sent as null or left out). */
export function RateLimitField(props: TextFieldProps) {
  return (
    <Field label="Rate limit (per minute)" hint="Empty: the server default">
      <input
        type="number"
        min={1}
        step={1}
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </Field>
  );
}

/** The default keepForDays of the account's photos and results: the server accepts 1, 3 or 7. */
export function RetentionField(props: TextFieldProps) {
  return (
    <Field label="Retention default">
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="1">1 day</option>
        <option value="3">3 days</option>
        <option value="7">7 days</option>
      </select>
    </Field>
  );
}
