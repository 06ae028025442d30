// A runtime copy of the response types' field names. Types vanish at run time, so the OpenAPI drift test
// (openapi-contract.test.ts) needs these lists to compare against the server's schemas; `fieldsOf` makes the compiler
// reject a list that misses or invents a field of its type, so the chain type ↔ list ↔ OpenAPI is checked end to end.
import type {
  CreditsResponse,
  ErrorBody,
  ErrorDetail,
  Generation,
  Product,
  ProductImage,
  ProductList,
  TryOnResponse,
  TryOnSyncResponse,
  UploadImageResponse,
} from './types.js';

/** Field names of T, required ones and optional ones separately; `nested` names the type of object/array fields. */
export interface FieldSpec {
  required: readonly string[];
  optional: readonly string[];
  nested?: Readonly<Record<string, ResponseTypeName>>;
}

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type OptionalKeys<T> = Exclude<keyof T, RequiredKeys<T>>;

/**
 * Checked identity: `R` must list exactly the required keys of T, `O` exactly the optional ones (any order).
 * A missing or extra name makes the argument type `never`, a compile error.
 */
function fieldsOf<T>() {
  return <const R extends readonly RequiredKeys<T>[], const O extends readonly OptionalKeys<T>[]>(
    required: R & ([RequiredKeys<T>] extends [R[number]] ? unknown : never),
    optional: O & ([OptionalKeys<T>] extends [O[number]] ? unknown : never),
    nested?: Partial<Record<keyof T, ResponseTypeName>>,
  ): FieldSpec => ({
    required: required as readonly string[],
    optional: optional as readonly string[],
    ...(nested ? { nested: nested as Record<string, ResponseTypeName> } : {}),
  });
}

export type ResponseTypeName =
  | 'UploadImageResponse'
  | 'TryOnResponse'
  | 'TryOnSyncResponse'
  | 'Generation'
  | 'Product'
  | 'ProductImage'
  | 'ProductList'
  | 'CreditsResponse'
  | 'ErrorBody'
  | 'ErrorDetail';

export const RESPONSE_FIELDS: Readonly<Record<ResponseTypeName, FieldSpec>> = {
  UploadImageResponse: fieldsOf<UploadImageResponse>()(['imageId', 'imageUrl'], []),
  TryOnResponse: fieldsOf<TryOnResponse>()(['generationId', 'status', 'productExternalId'], ['productExternalIds']),
  TryOnSyncResponse: fieldsOf<TryOnSyncResponse>()(
    ['generationId', 'status', 'productExternalId'],
    ['productExternalIds', 'resultImageUrl', 'errorMessage', 'errorCode', 'createdAt', 'updatedAt'],
  ),
  Generation: fieldsOf<Generation>()(
    ['generationId', 'status', 'productExternalId', 'createdAt', 'updatedAt'],
    ['productExternalIds', 'resultImageUrl', 'errorMessage', 'errorCode'],
  ),
  Product: fieldsOf<Product>()(
    [
      'externalId',
      'title',
      'description',
      'metadata',
      'autoDetectImageRoles',
      'validForDays',
      'expiresAt',
      'lastUsedAt',
      'createdAt',
      'updatedAt',
      'images',
    ],
    [],
    { images: 'ProductImage' },
  ),
  ProductImage: fieldsOf<ProductImage>()(['sourceUrl', 'role', 'order'], []),
  ProductList: fieldsOf<ProductList>()(['items', 'nextCursor', 'hasMore', 'count'], [], { items: 'Product' }),
  CreditsResponse: fieldsOf<CreditsResponse>()(['creditBalance'], []),
  ErrorBody: fieldsOf<ErrorBody>()(['code', 'message', 'status'], ['details'], { details: 'ErrorDetail' }),
  ErrorDetail: fieldsOf<ErrorDetail>()(['path', 'message'], []),
};
