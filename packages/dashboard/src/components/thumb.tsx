/** A square thumbnail with its caption; a dash when there is no image (failed, expired, or erased). */
export function Thumb(props: { src: string | null; label: string; alt?: string }) {
  return (
    <figure class="thumb">
      {props.src ? (
        <img src={props.src} alt={props.alt ?? props.label} loading="lazy" />
      ) : (
        <span class="no-image" role="img" aria-label={`${props.label}: no image`}>
          —
        </span>
      )}
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}
