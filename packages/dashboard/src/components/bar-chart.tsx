/**
 * A small SVG bar chart (stacked or grouped) for a few dozen days: no chart library, a few hundred bytes of markup.
 * The numbers are also in a table beside every chart, for screen readers and for reading exact values.
 */
export interface Series {
  label: string;
  /** A CSS class giving the bar's fill (`.s-ok`, `.s-bad`, …). */
  tone: string;
  values: number[];
}

/**
 * The drawing's own units: a fixed width whatever the number of days, so that the axis text keeps about the same
 * size on the page (the SVG is scaled to its card's width).
 */
const WIDTH = 520;
const HEIGHT = 200;
const PAD_LEFT = 38;
const PAD_BOTTOM = 22;

/** A round axis maximum: 1, 2, 5 × 10^n at or above the largest value. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function BarChart(props: { title: string; labels: string[]; series: Series[]; stacked: boolean }) {
  const n = props.labels.length;
  const totals = props.labels.map((_, i) =>
    props.stacked
      ? props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
      : Math.max(0, ...props.series.map((s) => s.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const width = WIDTH;
  const slot = (WIDTH - PAD_LEFT - 4) / Math.max(1, n);
  const plot = HEIGHT - PAD_BOTTOM;
  const y = (v: number) => plot - (v / max) * (plot - 8);
  const labelEvery = Math.max(1, Math.ceil(n / 7));
  const sums = props.series.map((s) => `${s.label} ${s.values.reduce((a, b) => a + b, 0)}`).join(', ');

  return (
    <figure class="chart">
      <figcaption>
        <strong>{props.title}</strong>
        <span class="legend">
          {props.series.map((s) => (
            <span key={s.label}>
              <svg width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" rx="2" class={s.tone} />
              </svg>
              {s.label}
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${HEIGHT}`}
        role="img"
        aria-label={`${props.title}, ${props.labels[0] ?? ''} to ${props.labels[n - 1] ?? ''}: ${sums}`}
        preserveAspectRatio="xMinYMid meet"
      >
        {(max >= 2 ? [0, max / 2, max] : [0, max]).map((tick) => (
          <g key={tick}>
            <line x1={PAD_LEFT} x2={width} y1={y(tick)} y2={y(tick)} class="grid-line" />
            <text x={PAD_LEFT - 4} y={y(tick) + 3} class="axis" text-anchor="end">
              {Number.isInteger(tick) ? tick : tick.toFixed(1)}
            </text>
          </g>
        ))}
        {props.labels.map((label, i) => {
          const barWidth = slot * 0.72;
          const x = PAD_LEFT + i * slot + (slot - barWidth) / 2;
          let base = 0;
          return (
            <g key={label}>
              {props.series.map((s, k) => {
                const v = s.values[i] ?? 0;
                if (v <= 0) return null;
                if (props.stacked) {
                  const rect = (
                    <rect
                      key={s.label}
                      x={x}
                      width={barWidth}
                      y={y(base + v)}
                      height={y(base) - y(base + v)}
                      class={s.tone}
                    >
                      <title>{`${label}: ${s.label} ${v}`}</title>
                    </rect>
                  );
                  base += v;
                  return rect;
                }
                const w = barWidth / props.series.length;
                return (
                  <rect key={s.label} x={x + k * w} width={w} y={y(v)} height={plot - y(v)} class={s.tone}>
                    <title>{`${label}: ${s.label} ${v}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 ? (
                <text x={x + barWidth / 2} y={HEIGHT - 6} class="axis" text-anchor="middle">
                  {label.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
