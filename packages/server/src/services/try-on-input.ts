/**
 * The /try-on body in every shape Genlook accepts (spec §2.2), reduced to one canonical request:
 * - `products: [p]` (1.4.0) or the deprecated singular `product: p`;
 * - `person.image.source` (1.4.0), or the deprecated `customer` as `{source:{…}}` (1.3.0) or flat `{id|url|fileKey}`;
 * - `externalUserId` or the deprecated `customerId`;
 * - `output.{watermark,keepForDays,aiLabel}` or the deprecated top-level `useWatermark` / `retentionDays`.
 * Deprecated fields are honoured only when their canonical counterpart is absent.
 */
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { parseOrThrow } from '../http/validation.js';
import { ONE_SHOT_PREFIX } from '../ids.js';
import {
  isHttpUrl,
  type ProductInput,
  reservedExternalId,
  toProductInput,
  WireProductFields,
} from './product-input.js';

const KeepForDays = z.union([z.literal(1), z.literal(3), z.literal(7)], {
  errorMap: () => ({ message: 'Expected 1, 3 or 7' }),
});
const Source = z
  .object({ id: z.string().optional(), url: z.string().optional(), fileKey: z.string().optional() })
  .passthrough();

export const WireTryOn = z
  .object({
    products: z
      .array(WireProductFields)
      .min(1, 'Exactly one product is required')
      .max(1, 'Exactly one product is supported for now')
      .optional()
      .describe(
        "Exactly one product, as in Genlook v1. fitroom's extension (docs/compatibility.md, outfits): an account " +
          'allowed outfits (`max_outfit_items` above 1) may send up to that many, dressed in one generation at one ' +
          'credit each',
      ),
    product: WireProductFields.optional(),
    person: z
      .object({ image: z.object({ source: Source.optional() }).passthrough().optional() })
      .passthrough()
      .optional(),
    customer: Source.extend({ source: Source.optional() }).optional(),
    externalUserId: z.string().min(1).max(255).optional(),
    customerId: z.string().min(1).max(255).optional(),
    output: z
      .object({
        watermark: z.boolean().optional(),
        keepForDays: KeepForDays.optional(),
        aiLabel: z.boolean().optional(),
      })
      .passthrough()
      .optional(),
    useWatermark: z.boolean().optional(),
    retentionDays: KeepForDays.optional(),
    /** fitroom's extension (docs/webhooks.md): where this generation's terminal event is POSTed, signed. */
    webhookUrl: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe(
        "fitroom's extension (not in Genlook v1): the http(s) URL this generation's signed terminal event is POSTed " +
          "to, instead of the account's webhook endpoint (docs/webhooks.md)",
      ),
  })
  .passthrough();

export type PersonSource =
  | { kind: 'id'; id: string }
  | { kind: 'url'; url: string }
  | { kind: 'file'; fileKey: string };

export interface TryOnRequest {
  /** The first product (the only one, unless the account allows outfits). */
  product: ProductInput;
  /** Every product, in the request's order: one, or an outfit's (fitroom's extension). */
  products: ProductInput[];
  person: PersonSource;
  externalUserId: string | null;
  /** null: the account setting applies (watermark when a logo is configured). */
  watermark: boolean | null;
  keepForDays: number | null;
  aiLabel: boolean;
  /** Where the terminal event goes instead of the account's endpoint (fitroom's extension); null: the account's. */
  webhookUrl: string | null;
}

/**
 * The most products an account may be allowed per try-on. The engines layer two garments today (a bottom and a top,
 * a dress and outerwear: planOutfit), so more is refused per combination; the ceiling only bounds the work.
 */
export const MAX_OUTFIT_ITEMS = 5;

/**
 * The body for an account allowed `maxProducts` per try-on. At 1 (every account unless an operator allows outfits)
 * it is Genlook's schema itself, so a second product gets Genlook's answer word for word.
 */
function wireFor(maxProducts: number) {
  if (maxProducts <= 1) return WireTryOn;
  return WireTryOn.extend({
    products: z
      .array(WireProductFields)
      .min(1, 'At least one product is required')
      .max(maxProducts, `At most ${maxProducts} products per try-on on this account`)
      .optional(),
  });
}

/** `maxProducts`: the account's outfit allowance (accounts.max_outfit_items; 1 = Genlook's single product). */
export function parseTryOn(body: unknown, maxProducts = 1): TryOnRequest {
  const raw = parseOrThrow(wireFor(maxProducts), body ?? {});
  const productsRaw = raw.products ?? (raw.product ? [raw.product] : []);
  if (productsRaw.length === 0) {
    throw new ApiError('VALIDATION_FAILED', 'products is required.', [{ path: 'products', message: 'Required' }]);
  }
  const products = productsRaw.map((productRaw, i) => {
    const prefix = raw.products ? `products.${i}.` : 'product.';
    const product = toProductInput(productRaw, prefix);
    if (product.externalId?.startsWith(ONE_SHOT_PREFIX) && product.images !== undefined) {
      // A one-shot id may be referenced (it is returned to clients), but not upserted by name.
      throw reservedExternalId(`${prefix}externalId`);
    }
    return product;
  });
  // One product twice in an outfit would be dressed over itself: refused, naming the repeat.
  for (const [i, p] of products.entries()) {
    if (p.externalId !== undefined && products.findIndex((q) => q.externalId === p.externalId) < i) {
      throw new ApiError('VALIDATION_FAILED', `products.${i} repeats the product '${p.externalId}'.`, [
        { path: `products.${i}.externalId`, message: 'The same product appears twice' },
      ]);
    }
  }

  const [source, path] = raw.person?.image?.source
    ? [raw.person.image.source, 'person.image.source']
    : raw.customer?.source
      ? [raw.customer.source, 'customer.source']
      : raw.customer
        ? [raw.customer, 'customer']
        : [undefined, 'person.image.source'];
  const given = source
    ? (['id', 'url', 'fileKey'] as const).filter((k) => source[k] !== undefined && source[k] !== '')
    : [];
  if (!source || given.length === 0) throw new ApiError('CUSTOMER_IMAGE_REQUIRED');
  if (given.length > 1) {
    throw new ApiError('VALIDATION_FAILED', `${path} takes exactly one of id, url or fileKey.`, [
      { path, message: 'Exactly one of id, url or fileKey is required' },
    ]);
  }
  let person: PersonSource;
  if (source.id !== undefined) person = { kind: 'id', id: source.id };
  else if (source.fileKey !== undefined) person = { kind: 'file', fileKey: source.fileKey };
  else {
    const url = source.url!;
    if (!isHttpUrl(url))
      throw new ApiError('VALIDATION_FAILED', undefined, [{ path: `${path}.url`, message: 'Invalid url' }]);
    person = { kind: 'url', url };
  }

  return {
    product: products[0]!,
    products,
    person,
    externalUserId: raw.externalUserId ?? raw.customerId ?? null,
    watermark: raw.output?.watermark ?? raw.useWatermark ?? null,
    keepForDays: raw.output?.keepForDays ?? raw.retentionDays ?? null,
    aiLabel: raw.output?.aiLabel ?? false,
    webhookUrl: raw.webhookUrl ?? null,
  };
}
