/**
 * A configuration secret (the S3 secret access key) that cannot end up in a log line by accident: the value sits in a
 * private field, which `JSON.stringify`, `util.inspect` (pino, console.log) and string conversion never show. Only
 * the adapter that needs it calls `reveal()`.
 */
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
