/** The admin API's shapes (scratch contract, docs/admin-api.md) and the few public-API answers the playground reads. */

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Account {
  id: string;
  name: string;
  creditBalance: number;
  rateLimitPerMin: number | null;
  retentionDays: 1 | 3 | 7;
  engine: string | null;
  engineChecks: 'strict' | 'lenient' | null;
  hasLogo: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  accountId: string;
  prefix: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedKey {
  key: string;
  apiKey: ApiKey;
}

export interface LedgerEntry {
  id: string;
  delta: number;
  reason: string;
  note: string | null;
  generationId: string | null;
  balanceAfter: number;
  createdAt: string;
}

export interface ProductImage {
  url: string;
  role: string | null;
}

export interface Product {
  id: string;
  accountId: string;
  externalId: string;
  kind: string;
  title: string;
  description: string;
  images: ProductImage[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type GenerationStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED';
export const GENERATION_STATUSES: GenerationStatus[] = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'];

export interface Generation {
  id: string;
  accountId: string;
  status: GenerationStatus;
  productExternalId: string;
  productTitle: string | null;
  engine: string;
  errorCode: string | null;
  errorMessage: string | null;
  personImageUrl: string | null;
  productImageUrl: string | null;
  resultImageUrl: string | null;
  createdAt: string;
  completedAt: string | null;
  durationMs: number | null;
}

export interface GenerationDetail extends Generation {
  product?: Record<string, unknown> | null;
}

export interface Engine {
  name: string;
  default: boolean;
}

export interface UsageDay {
  date: string;
  accountId: string;
  generations: number;
  completed: number;
  failed: number;
  creditsUsed: number;
  creditsAdded: number;
}

export interface Session {
  csrfToken: string;
  expiresAt: string;
}

/** `POST /tryon/v1/images/upload`. */
export interface UploadedImage {
  imageId: string;
  imageUrl: string;
}

/** `GET /tryon/v1/generations/:id` (the public shape). */
export interface PublicGeneration {
  generationId: string;
  status: GenerationStatus;
  productExternalId: string;
  resultImageUrl?: string;
  errorCode?: string;
  errorMessage?: string;
  createdAt: string;
  updatedAt: string;
}
