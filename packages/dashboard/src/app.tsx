/** The shell: the session check, sign-in when there is none, and the page for the current path. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, loadSession, onSessionLost, signOut } from './api.js';
import { Button, Link, Loading } from './components/ui.js';
import { SignInPage } from './pages/sign-in.js';
import { navigate, useLocation } from './router.js';
import { NAV, routeFor } from './routes.js';
import type { Session } from './types.js';

type SessionState =
  | { kind: 'checking' }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'signed-in'; session: Session }
  | { kind: 'failed'; error: unknown };

export function App() {
  const [state, setState] = useState<SessionState>({ kind: 'checking' });
  const check = () => {
    setState({ kind: 'checking' });
    loadSession().then(
      (session) => setState(session ? { kind: 'signed-in', session } : { kind: 'signed-out' }),
      (error: unknown) => setState({ kind: 'failed', error }),
    );
  };
  useEffect(() => {
    onSessionLost(() => setState({ kind: 'signed-out', notice: 'Your session ended. Sign in again.' }));
    check();
  }, []);

  if (state.kind === 'checking')
    return (
      <Centered>
        <Loading label="Checking your session…" />
      </Centered>
    );
  if (state.kind === 'failed')
    return (
      <Centered>
        <div class="error" role="alert">
          The dashboard could not reach the server: {describeError(state.error)}
        </div>
        <Button onClick={check}>Retry</Button>
      </Centered>
    );
  if (state.kind === 'signed-out')
    return <SignInPage notice={state.notice} onSignedIn={(session) => setState({ kind: 'signed-in', session })} />;
  return <Shell onSignedOut={() => setState({ kind: 'signed-out', notice: 'Signed out.' })} />;
}

function Centered(props: { children: ComponentChildren }) {
  return <main class="centered">{props.children}</main>;
}

function Shell(props: { onSignedOut: () => void }) {
  const location = useLocation();
  const [signingOut, setSigningOut] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const route = routeFor(location.path);

  useEffect(() => {
    if (location.path === '/' || location.path === '') navigate('/accounts', { replace: true });
  }, [location.path]);
  // A new page: move focus to its heading, so keyboard and screen-reader users start there.
  useEffect(() => {
    setMenuOpen(false);
    const heading = main.current?.querySelector<HTMLElement>('h1');
    if (heading && document.activeElement !== document.body) heading.focus({ preventScroll: true });
    document.title = `${route.title} · fitroom dashboard`;
  }, [location.path]);

  const doSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } catch {
      // The cookie is cleared by the server; if it could not be reached the session expires on its own.
    }
    props.onSignedOut();
  };

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">
          <img src="/dashboard/favicon.svg" alt="" width="24" height="24" />
          fitroom
        </span>
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="nav" class={menuOpen ? 'open' : ''} aria-label="Sections">
          {NAV.map((item) => (
            <Link
              key={item.path}
              to={item.path}
              aria-current={location.path.startsWith(item.path) ? 'page' : undefined}
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <Button variant="quiet sign-out" busy={signingOut} onClick={doSignOut}>
          Sign out
        </Button>
      </header>
      <main id="main" ref={main}>
        {route.render(location)}
      </main>
    </div>
  );
}
