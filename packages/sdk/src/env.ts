// The SDK's only contact with the host environment. It must run on Node, Deno, Bun and edge runtimes, so it touches
// `process` and `Deno` only through optional chaining on globalThis, and treats any failure (Deno without
// --allow-env throws) as "not set". portability.test.ts enforces that no other file does this.

interface EnvHost {
  process?: { env?: Record<string, string | undefined> };
  Deno?: { env?: { get?(name: string): string | undefined } };
}

/** The value of the first variable in `names` that is set to a non-empty string, if any. */
export function readEnv(...names: string[]): string | undefined {
  const host = globalThis as EnvHost;
  for (const name of names) {
    let value: string | undefined;
    try {
      value = host.process?.env?.[name] ?? host.Deno?.env?.get?.(name);
    } catch {
      value = undefined;
    }
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/**
 * True in a browser page (both `window` and `document` exist). Deno 1.x defines `window` but not `document`, and web
 * workers or edge runtimes define neither, so they are not browsers here.
 */
export function isBrowser(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown };
  return typeof g.window !== 'undefined' && typeof g.document !== 'undefined';
}
