/** Sign-in with the admin token: the server answers with an HttpOnly session cookie; the token is not kept here. */
import { useState } from 'preact/hooks';
import { signIn } from '../api.js';
import { Button, ErrorBox, Field } from '../components/ui.js';
import type { Session } from '../types.js';

export function SignInPage(props: { notice?: string | undefined; onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(token.trim());
      setToken('');
      props.onSignedIn(session);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main class="centered">
      <form class="card sign-in" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          <img src="/dashboard/favicon.svg" alt="" width="28" height="28" /> fitroom dashboard
        </h1>
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <Field
          label="Admin token"
          hint="ADMIN_TOKEN, or the token the server printed at its first start (kept in DATA_DIR/admin-token)."
        >
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            required
            // biome-ignore lint/a11y/noAutofocus: the only field of the page
            autoFocus
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </Field>
        <ErrorBox error={error} />
        <Button type="submit" variant="primary" busy={busy} disabled={token.trim() === ''}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
