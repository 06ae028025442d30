/**
 * Synthetic flat-lay bottoms for tests and diagnostics: the fixtures hold no skirts or trousers, so the bottoms
 * path is exercised with drawn product photos (white background, a darker waistband, stripes so that the warp's
 * direction and continuity are visible). They are honest stand-ins for geometry, not for real fabric.
 */
import sharp from 'sharp';

export type SyntheticBottom = 'skirt' | 'trousers';

function stripes(id: string, a: string, b: string, period: number, angle: number): string {
  return (
    `<pattern id="${id}" width="${period}" height="${period}" patternUnits="userSpaceOnUse" ` +
    `patternTransform="rotate(${angle})"><rect width="${period}" height="${period}" fill="${a}"/>` +
    `<rect width="${period / 2}" height="${period}" fill="${b}"/></pattern>`
  );
}

/** A flat-lay product photo (PNG) of a knee-length A-line skirt or full-length straight trousers. */
export async function syntheticBottom(kind: SyntheticBottom): Promise<Buffer> {
  let svg: string;
  if (kind === 'skirt') {
    // Waist 300 px, hem 440 px, length 480 px: length / waist 1.6, a knee-length skirt.
    const W = 768;
    const H = 768;
    svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#fff"/>` +
      `<defs>${stripes('s', '#2f5d9e', '#c8d6ee', 28, 0)}</defs>` +
      `<polygon points="234,140 534,140 604,620 164,620" fill="url(#s)"/>` +
      `<rect x="234" y="140" width="300" height="34" fill="#1d2f52"/></svg>`;
  } else {
    // Waist 300 px, length 800 px (ratio 2.67: full length), crotch 260 px below the waist, legs ~150 px wide.
    const W = 700;
    const H = 1000;
    svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#fff"/>` +
      `<defs>${stripes('t', '#6b4a2b', '#a98a62', 22, 90)}</defs>` +
      `<polygon points="200,100 500,100 520,360 540,900 385,900 350,390 315,900 160,900 180,360" fill="url(#t)"/>` +
      `<rect x="200" y="100" width="300" height="30" fill="#3a2714"/></svg>`;
  }
  return sharp(Buffer.from(svg)).png().toBuffer();
}
