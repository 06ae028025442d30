/** One generation: its images side by side, every field, and the snapshot of the product it ran with. */
import { admin } from '../api.js';
import { Thumb } from '../components/thumb.js';
import { duration, ErrorBox, Link, Loading, PageHeader, StatusBadge, When } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { accountPath } from '../router.js';
import type { GenerationDetail } from '../types.js';

export function GenerationPage(props: { id: string }) {
  const gen = useLoad(() => admin.get<GenerationDetail>(`/generations/${encodeURIComponent(props.id)}`), [props.id]);
  const g = gen.data;
  return (
    <>
      <p class="crumbs">
        <Link to="/generations">Generations</Link> /
      </p>
      <PageHeader title={g ? g.productTitle || g.productExternalId : 'Generation'} />
      {gen.loading && !g ? <Loading /> : null}
      <ErrorBox error={gen.error} retry={gen.reload} />
      {g ? (
        <>
          <div class="triptych large card">
            <Thumb src={g.personImageUrl} label="Person" />
            <Thumb src={g.productImageUrl} label="Product" />
            <Thumb src={g.resultImageUrl} label="Result" />
          </div>
          <dl class="facts card">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={g.status} />
              </dd>
            </div>
            <div>
              <dt>Id</dt>
              <dd class="mono">{g.id}</dd>
            </div>
            <div>
              <dt>Account</dt>
              <dd>
                <Link class="mono" to={accountPath(g.accountId)}>
                  {g.accountId}
                </Link>
              </dd>
            </div>
            <div>
              <dt>Product</dt>
              <dd class="mono">{g.productExternalId}</dd>
            </div>
            <div>
              <dt>Engine</dt>
              <dd>{g.engine}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <When at={g.createdAt} />
              </dd>
            </div>
            <div>
              <dt>Completed</dt>
              <dd>
                <When at={g.completedAt} />
              </dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{duration(g.durationMs)}</dd>
            </div>
            <div>
              <dt>Shopper</dt>
              <dd class="mono">{g.externalUserId ?? <span class="muted">—</span>}</dd>
            </div>
            <div>
              <dt>Kept</dt>
              <dd>
                {g.keepForDays} d, until <When at={g.expiresAt} />
              </dd>
            </div>
            <div>
              <dt>Watermark</dt>
              <dd>{g.watermark === null ? "account's default" : g.watermark ? 'yes' : 'no'}</dd>
            </div>
            <div>
              <dt>Engine checks</dt>
              <dd>{g.engineChecks ?? <span class="muted">default</span>}</dd>
            </div>
            {g.errorCode || g.errorMessage ? (
              <div class="wide">
                <dt>Error</dt>
                <dd>
                  {g.errorCode ? <code class="error-code">{g.errorCode}</code> : null} {g.errorMessage}
                </dd>
              </div>
            ) : null}
          </dl>
          {g.product ? (
            <details class="card">
              <summary>The product as the try-on ran with it</summary>
              <dl class="meta">
                <dt>External id</dt>
                <dd class="mono">{g.product.externalId}</dd>
                <dt>Title</dt>
                <dd>{g.product.title || <span class="muted">—</span>}</dd>
                <dt>Description</dt>
                <dd>{g.product.description || <span class="muted">—</span>}</dd>
              </dl>
              <div class="thumbs">
                {g.product.images.map((img, i) =>
                  img.url ? (
                    <img
                      key={`${i}:${img.url}`}
                      src={img.url}
                      alt={`${g.product?.title || g.product?.externalId}, view ${i + 1}`}
                      loading="lazy"
                    />
                  ) : (
                    <span
                      key={`${i}:none`}
                      class="no-image"
                      role="img"
                      aria-label={`View ${i + 1} of the product: gone`}
                    >
                      —
                    </span>
                  ),
                )}
              </div>
            </details>
          ) : null}
        </>
      ) : null}
    </>
  );
}
