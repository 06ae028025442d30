/**
 * The admin token (ADMIN_TOKEN, or the one made at the first start and kept in DATA_DIR/admin-token) and the
 * dashboard's sessions.
 *
 * Sessions are stateless: the cookie holds its expiry and a random nonce, signed with an HMAC key derived from the
 * admin token. Any API replica that has the same token accepts it without a shared session store, and a new token
 * ends every session at once. The CSRF token of a session is another HMAC of the cookie's value, so the browser
 * learns it only from GET /admin/v1/session (a same-origin read) and a cross-site page can never compute it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Clock } from '../ports/clock.js';
import { Secret } from '../secret.js';

/** Generated tokens start with this (account API keys start with `gk_`: the two can never be mistaken). */
export const ADMIN_TOKEN_PREFIX = 'fra_';
/** The file in DATA_DIR that keeps the generated token. */
export const ADMIN_TOKEN_FILE = 'admin-token';
/** How long a dashboard session lasts (the cookie's Max-Age). */
export const SESSION_TTL_S = 12 * 3600;

/** A new admin token: the prefix and 256 random bits. */
export const newAdminToken = () => `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;

export interface ResolvedAdminToken {
  token: Secret;
  /** Made by this call (first start on this DATA_DIR): the caller prints it once. */
  generated: boolean;
  /** Where it is kept; null when it comes from ADMIN_TOKEN. */
  file: string | null;
}

/**
 * ADMIN_TOKEN when set; else the token kept in DATA_DIR/admin-token, made (mode 0600) when the file does not exist.
 * Two processes starting together on one DATA_DIR agree: the file appears whole (written aside, then hard-linked into
 * place, which fails if it exists) and the loser reads the winner's.
 */
export function resolveAdminToken(config: Pick<Config, 'adminToken' | 'dataDir'>): ResolvedAdminToken {
  if (config.adminToken) return { token: config.adminToken, generated: false, file: null };
  const file = join(config.dataDir, ADMIN_TOKEN_FILE);
  const existing = readTokenFile(file);
  if (existing !== null) return { token: existing, generated: false, file };
  mkdirSync(config.dataDir, { recursive: true });
  const token = newAdminToken();
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, `${token}\n`, { mode: 0o600 });
  try {
    linkSync(aside, file);
    return { token: new Secret(token), generated: true, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const theirs = readTokenFile(file);
    if (theirs === null) throw new Error(`${file} disappeared while the admin token was being made`);
    return { token: theirs, generated: false, file };
  } finally {
    unlinkSync(aside);
  }
}

function readTokenFile(file: string): Secret | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const token = text.trim();
  if (token.length < 32 || /\s/.test(token)) {
    throw new Error(`${file} does not hold an admin token (32 characters or more): delete it to get a new one`);
  }
  return new Secret(token);
}

const digest = (value: string) => createHash('sha256').update(value).digest();
const mac = (key: Buffer, message: string) => createHmac('sha256', key).update(message).digest('base64url');

/** Equal strings, in time that depends on neither their content nor their lengths (both are hashed first). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export interface AdminSession {
  /** The cookie's value. */
  value: string;
  expiresAt: Date;
}

export class AdminAuth {
  readonly #token: Secret;
  readonly #key: Buffer;

  constructor(
    token: Secret,
    private readonly clock: Clock,
  ) {
    this.#token = token;
    // A key of its own for signing, so a session cookie reveals nothing about the token itself.
    this.#key = createHmac('sha256', token.reveal()).update('fitroom admin session v1').digest();
  }

  /** Whether `given` is the admin token, compared in constant time. */
  isAdminToken(given: string): boolean {
    return sameSecret(given, this.#token.reveal());
  }

  /** A new session cookie value, valid SESSION_TTL_S from now. */
  newSession(): AdminSession {
    const expiresS = Math.floor(this.clock.now().getTime() / 1000) + SESSION_TTL_S;
    const body = `${expiresS}.${randomBytes(16).toString('base64url')}`;
    return { value: `${body}.${mac(this.#key, `session:${body}`)}`, expiresAt: new Date(expiresS * 1000) };
  }

  /** The session a cookie value stands for, or null (malformed, forged, signed with another token, or expired). */
  sessionOf(value: string): AdminSession | null {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return null;
    const body = `${match[1]}.${match[2]}`;
    if (!sameSecret(match[3]!, mac(this.#key, `session:${body}`))) return null;
    const expiresAt = new Date(Number(match[1]) * 1000);
    if (expiresAt.getTime() <= this.clock.now().getTime()) return null;
    return { value, expiresAt };
  }

  /** The CSRF token of a session: what its non-GET requests carry in `x-csrf-token`. */
  csrfTokenOf(session: AdminSession): string {
    return mac(this.#key, `csrf:${session.value}`);
  }

  isCsrfToken(session: AdminSession, given: string): boolean {
    return sameSecret(given, this.csrfTokenOf(session));
  }
}
