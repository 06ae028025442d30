/** Before and after, one over the other, split where the slider says (a native range input: keyboard works). */
import { useState } from 'preact/hooks';

export function CompareSlider(props: { before: string; after: string; beforeAlt: string; afterAlt: string }) {
  const [split, setSplit] = useState(50);
  return (
    <div class="compare">
      <div class="compare-frame">
        <img src={props.after} alt={props.afterAlt} class="compare-after" />
        <img
          src={props.before}
          alt={props.beforeAlt}
          class="compare-before"
          style={{ clipPath: `inset(0 ${100 - split}% 0 0)` }}
        />
        <span class="compare-line" style={{ left: `${split}%` }} aria-hidden="true" />
        <span class="compare-tag left" aria-hidden="true">
          Before
        </span>
        <span class="compare-tag right" aria-hidden="true">
          After
        </span>
      </div>
      <label class="compare-control">
        <span>Before</span>
        <input
          type="range"
          min={0}
          max={100}
          value={split}
          aria-label="Share of the picture showing the photo before the try-on"
          aria-valuetext={`${split}% before, ${100 - split}% after`}
          onInput={(e) => setSplit(Number(e.currentTarget.value))}
        />
        <span>After</span>
      </label>
    </div>
  );
}
