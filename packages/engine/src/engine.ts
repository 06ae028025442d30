/**
 * The try-on engine port. The server hands an engine a normalised person photo and one product; the engine returns
 * the person wearing it. Implementations: `mock` (returns the person unchanged), `composite` (the CPU pipeline of
 * design/engine.md, run in worker threads) and `external` (an HTTP inference service).
 */

/** A product image, already downloaded and stored by the server. */
export interface ProductImageInput {
  /** Encoded bytes (JPEG, PNG or WebP). */
  data: Uint8Array;
  /** SHA-256 of `data`, hex. Engines key per-image caches (garment analysis) on it. */
  contentHash: string;
  /** Optional role from the API (`top-back`, …); null when not given. */
  role: string | null;
}

export interface TryOnInput {
  /** The person photo: encoded bytes, already oriented, sRGB, and cropped by the server. */
  person: Uint8Array;
  product: {
    title: string | null;
    description: string | null;
    images: ProductImageInput[];
  };
  /** Aborts the work when the generation is no longer wanted (shutdown, lease lost). */
  signal?: AbortSignal;
  /**
   * How the engine treats a photo it judges unsuitable (a seated person, crossed arms, an open jacket) or a result it
   * judges poor: `strict` (the default) refuses with UNSUPPORTED_POSE, UNSUPPORTED_OUTFIT or QUALITY_CHECK_FAILED;
   * `lenient` draws anyway and reports the findings in `diagnostics.checks`. Hard failures (no person, no garment,
   * an undecodable image, …) fail in both modes.
   */
  checks?: ChecksMode;
  /**
   * Whether an external engine's result gets the identity pass (identity/identity-pass.ts: the person's own pixels
   * restored outside the garment region); default true. Engines that keep those pixels themselves (composite, mock)
   * ignore it.
   */
  identityPass?: boolean;
}

/** See `TryOnInput.checks`. */
export type ChecksMode = 'strict' | 'lenient';

/** The codes a check (of the photo or of the result) refuses with in strict mode. */
export type CheckCode = 'UNSUPPORTED_POSE' | 'UNSUPPORTED_OUTFIT' | 'QUALITY_CHECK_FAILED';

/**
 * What a check found. `refuse`: strict mode fails the try-on with `code` and `message` (the shopper-facing
 * `errorMessage`); lenient mode draws anyway and reports it. `fatal`: fails in both modes (the engine cannot draw
 * it at all, e.g. a person upside down). `warn`: reported in both modes, never fails.
 */
export interface CheckFinding {
  code: CheckCode;
  message: string;
  severity: 'fatal' | 'refuse' | 'warn';
  /** The measured values behind it, for the log (in shoulder widths, degrees or shares, as named). */
  measured?: Record<string, number>;
}

export interface TryOnOutput {
  /** Encoded result, same pixel size as the person photo. */
  image: Uint8Array;
  contentType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  /** Engine-specific timings and diagnostics, logged by the worker; never sent to clients. */
  diagnostics?: Record<string, unknown>;
}

/** Typed failure reasons; they become the generation's `errorCode`. */
export type EngineErrorCode =
  | 'INVALID_IMAGE'
  | 'NO_PERSON_DETECTED'
  | 'GARMENT_NOT_DETECTED'
  | 'UNSUPPORTED_GARMENT'
  /** The person is seated or crouching, has crossed arms or arms held across the torso, or is lying or upside down. */
  | 'UNSUPPORTED_POSE'
  /** The person wears an outfit a new top cannot replace convincingly (an open jacket or suit over a shirt). */
  | 'UNSUPPORTED_OUTFIT'
  /** The engine judged its own result too poor to deliver. */
  | 'QUALITY_CHECK_FAILED'
  | 'ENGINE_FAILED'
  | 'ENGINE_UNAVAILABLE'
  /** A hosted provider kept answering "too many requests" (its rate or concurrency limit), retries included. */
  | 'ENGINE_RATE_LIMITED'
  /** The engine did not answer, or did not finish the try-on, in the time allowed. */
  | 'ENGINE_TIMEOUT'
  /** The provider refused the server's credentials (a wrong or revoked API key): the operator must fix the key. */
  | 'ENGINE_AUTH_FAILED'
  /** The provider's account has no credits left: the operator must top it up. */
  | 'ENGINE_QUOTA_EXCEEDED'
  /** The provider's content filter refused the photo or the garment (nudity, a minor, …). */
  | 'CONTENT_MODERATED';

/**
 * The codes that say the engine itself is unavailable (not that the input is bad): a fallback engine may take the
 * try-on over, and the engine's circuit breaker counts them.
 */
export const ENGINE_DOWN_CODES: ReadonlySet<EngineErrorCode> = new Set<EngineErrorCode>([
  'ENGINE_UNAVAILABLE',
  'ENGINE_RATE_LIMITED',
  'ENGINE_TIMEOUT',
  'ENGINE_AUTH_FAILED',
  'ENGINE_QUOTA_EXCEEDED',
]);

export interface EngineErrorOptions {
  /** How long the engine asked to be left alone (an HTTP `retry-after`), in ms. */
  retryAfterMs?: number;
}

export class EngineError extends Error {
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** Whether trying the same input again may succeed (an external service timing out, a crashed worker). */
    readonly retryable = false,
    options: EngineErrorOptions = {},
  ) {
    super(message);
    this.name = 'EngineError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface TryOnEngine {
  readonly name: string;
  tryOn(input: TryOnInput): Promise<TryOnOutput>;
  close(): Promise<void>;
}
