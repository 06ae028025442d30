/** The admin API's shapes (docs/admin-api.md, packages/server/src/routes/admin/shapes.ts) and the few public-API answers the playground reads. */

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
  /** The identity pass on hosted engines' results; null: the deployment default. */
  identityPass: boolean | null;
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

export type LedgerReason = 'grant' | 'top_up' | 'generation_debit' | 'generation_refund' | 'adjustment';

export interface LedgerEntry {
  id: string;
  accountId: string;
  delta: number;
  reason: LedgerReason;
  note: string | null;
  generationId: string | null;
  balanceAfter: number;
  createdAt: string;
}

export interface ProductImage {
  /** Signed URL of the stored copy; the source URL when never downloaded; null if neither. */
  url: string | null;
  sourceUrl: string | null;
  role: string | null;
}

export interface Product {
  id: string;
  accountId: string;
  externalId: string;
  kind: 'catalog' | 'inline' | 'one_shot';
  title: string;
  description: string;
  images: ProductImage[];
  /** Its TTL from its last use; null: kept until deleted. */
  validForDays: number | null;
  expiresAt: string | null;
  /** Past expiresAt, not swept yet. */
  expired: boolean;
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
  updatedAt: string;
  /** When retention removes its person photo and result. */
  expiresAt: string;
  externalUserId: string | null;
  keepForDays: number;
  watermark: boolean | null;
  engineChecks: string | null;
  /** The product as the try-on ran with it. */
  product: { externalId: string; title: string | null; description: string | null; images: ProductImage[] } | null;
}

export interface Engine {
  name: string;
  default: boolean;
  /** The try-on is sent to another service. */
  hosted: boolean;
  categories: Array<'upper' | 'lower' | 'dress'>;
  maxSide: number | null;
  licence: 'commercial' | 'non-commercial';
}

export interface UsageDay {
  date: string;
  accountId: string;
  generations: number;
  completed: number;
  failed: number;
  /** Debits less refunds. */
  creditsUsed: number;
  /** Granted at creation or topped up. */
  creditsAdded: number;
  /** Taken back by an operator. */
  creditsRemoved: number;
}

/** GET /admin/v1/accounts/:id/webhook. */
export interface WebhookEndpoint {
  webhookUrl: string | null;
  hasSecret: boolean;
}

export interface WebhookDelivery {
  deliveryId: string;
  /** The same on every attempt and redelivery of the event. */
  eventId: string;
  type: string;
  generationId: string;
  accountId: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Array<{ attempt: number; statusCode: number | null; error: string | null; durationMs: number; at: string }>;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
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
