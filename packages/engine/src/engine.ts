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
  | 'ENGINE_FAILED'
  | 'ENGINE_UNAVAILABLE';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** Whether trying the same input again may succeed (an external service timing out, a crashed worker). */
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface TryOnEngine {
  readonly name: string;
  tryOn(input: TryOnInput): Promise<TryOnOutput>;
  close(): Promise<void>;
}
