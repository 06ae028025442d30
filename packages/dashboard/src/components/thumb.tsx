/**
 * A square thumbnail with its caption; a dash when there is no image (failed, expired, erased) or when it does not
 * load (a product image deleted with its product after the try-on).
 */
import { useState } from 'preact/hooks';

export function Thumb(props: { src: string | null; label: string; alt?: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  const shown = props.src && failed !== props.src ? props.src : null;
  return (
    <figure class="thumb">
      {shown ? (
        <img src={shown} alt={props.alt ?? props.label} loading="lazy" onError={() => setFailed(shown)} />
      ) : (
        <span class="no-image" role="img" aria-label={`${props.label}: no image`}>
          —
        </span>
      )}
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}
