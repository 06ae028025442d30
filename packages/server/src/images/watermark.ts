/**
 * Marks applied to a try-on result before it is stored (spec §8): the account's watermark logo, bottom-right, and
 * with `output.aiLabel` a visible "AI-generated" label, bottom-left, plus an XMP/EXIF note that the image is
 * AI-generated. The two corners never collide, whatever the logo's shape.
 *
 * Results are public (signed URLs), so every re-encode strips the input's metadata (EXIF, GPS, IPTC, XMP); only the
 * AI-generated note is written. An input that carries such metadata is re-encoded even when no mark applies.
 */
import sharp, { type OverlayOptions } from 'sharp';

export interface OutputMarksOptions {
  /** The account's logo (any format sharp reads, alpha kept); null = no watermark. */
  logo: Uint8Array | null;
  aiLabel: boolean;
}

export interface MarkedImage {
  data: Buffer;
  contentType: 'image/jpeg' | 'image/png';
}

/** IPTC's term for media created by a trained model (https://cv.iptc.org/newscodes/digitalsourcetype/). */
export const AI_DIGITAL_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
export const AI_LABEL_TEXT = 'AI-generated';
export const AI_DESCRIPTION = 'AI-generated image (virtual try-on)';

const JPEG_QUALITY = 92;
/** Logo width relative to the result's width (its height is capped by the same share of the result's height). */
const LOGO_SHARE = 0.18;
/** A small logo is scaled up at most this much: beyond it, a bitmap logo turns visibly blurry. */
const LOGO_MAX_UPSCALE = 1.5;
/** Visible but not obnoxious: the photo shows through a little. */
const LOGO_OPACITY = 0.85;
const MARGIN_SHARE = 0.025;
const LABEL_FONT_SHARE = 0.03;
const LABEL_MIN_FONT_PX = 9;
/** A generic family: fontconfig resolves it to whatever sans-serif the machine has (DejaVu Sans on Debian). */
const LABEL_FONT_FAMILY = 'sans-serif';

const XMP = `<?xpacket begin="\u{feff}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:dc="http://purl.org/dc/elements/1.1/">
   <Iptc4xmpExt:DigitalSourceType>${AI_DIGITAL_SOURCE_TYPE}</Iptc4xmpExt:DigitalSourceType>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${AI_DESCRIPTION}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;

export async function applyOutputMarks(result: Uint8Array, opts: OutputMarksOptions): Promise<MarkedImage> {
  const meta = await sharp(result).metadata();
  const png = meta.format === 'png';
  const contentType = png ? 'image/png' : 'image/jpeg';
  const carriesMetadata =
    meta.exif !== undefined || meta.xmp !== undefined || meta.iptc !== undefined || (meta.orientation ?? 1) !== 1;

  if (!opts.logo && !opts.aiLabel && (png || meta.format === 'jpeg') && !carriesMetadata) {
    // Nothing to draw and nothing to strip: hand back the engine's bytes, no second lossy JPEG generation.
    return { data: Buffer.isBuffer(result) ? result : Buffer.from(result), contentType };
  }

  // The EXIF orientation is about to be dropped with the rest of the metadata, so bake it into the pixels first;
  // the marks are then placed in the corners a viewer actually sees.
  const width = meta.autoOrient.width;
  const height = meta.autoOrient.height;
  const overlays: OverlayOptions[] = [];
  if (opts.logo) overlays.push(await logoOverlay(opts.logo, width, height));
  if (opts.aiLabel) {
    const label = await labelOverlay(width, height);
    if (label) overlays.push(label);
  }

  let image = sharp(result).autoOrient();
  if (overlays.length > 0) image = image.composite(overlays);
  // sharp writes no metadata unless asked: only the note below reaches the output.
  if (opts.aiLabel) {
    image = image.withXmp(XMP).withExif({ IFD0: { ImageDescription: AI_DESCRIPTION } });
  }
  const data = png
    ? await image.png().toBuffer()
    : await image.flatten({ background: '#ffffff' }).jpeg({ quality: JPEG_QUALITY }).toBuffer();
  return { data, contentType };
}

function marginFor(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) * MARGIN_SHARE));
}

async function logoOverlay(logo: Uint8Array, width: number, height: number): Promise<OverlayOptions> {
  const meta = await sharp(logo).metadata();
  const lw = meta.autoOrient.width;
  const lh = meta.autoOrient.height;
  const margin = marginFor(width, height);
  // Fit inside (18% of the width × 18% of the height), so a tall logo cannot cover a third of a portrait photo.
  const scale = Math.min((width * LOGO_SHARE) / lw, (height * LOGO_SHARE) / lh, LOGO_MAX_UPSCALE);
  const w = Math.max(1, Math.min(width - margin, Math.round(lw * scale)));
  const h = Math.max(1, Math.min(height - margin, Math.round(lh * scale)));
  const { data, info } = await sharp(logo)
    .autoOrient()
    .resize(w, h, { fit: 'fill' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Scale the logo's own alpha rather than replacing it: transparent parts stay transparent.
  for (let i = info.channels - 1; i < data.length; i += info.channels) {
    data[i] = Math.round((data[i] ?? 0) * LOGO_OPACITY);
  }
  return {
    input: data,
    raw: { width: info.width, height: info.height, channels: info.channels },
    left: Math.max(0, width - margin - info.width),
    top: Math.max(0, height - margin - info.height),
  };
}

interface TextMetrics {
  /** Ink width, ascent above and descent below the baseline, per pixel of font size. */
  width: number;
  ascent: number;
  descent: number;
}

const REFERENCE_FONT_PX = 100;
let textMetrics: Promise<TextMetrics | null> | undefined;

/**
 * librsvg cannot size a box to its text (it ignores textLength), so the label's ink is measured once per process on
 * this machine's actual font, and the pill is laid out from that: no per-font constants to go stale.
 */
function measureLabelText(): Promise<TextMetrics | null> {
  textMetrics ??= (async () => {
    const baseline = REFERENCE_FONT_PX * 1.5;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${REFERENCE_FONT_PX * 12}" height="${REFERENCE_FONT_PX * 2}">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${REFERENCE_FONT_PX / 2}" y="${baseline}" font-family="${LABEL_FONT_FAMILY}" font-size="${REFERENCE_FONT_PX}" font-weight="600" fill="#000">${AI_LABEL_TEXT}</text>
</svg>`;
    const probe = sharp(Buffer.from(svg));
    const { data } = await probe.clone().greyscale().raw().toBuffer({ resolveWithObject: true });
    // No font on the machine: nothing was drawn (trim would then fail on a uniform image).
    if (!data.some((v) => v < 128)) return null;
    const { info } = await probe.trim({ background: '#ffffff' }).toBuffer({ resolveWithObject: true });
    const top = -(info.trimOffsetTop ?? 0);
    return {
      width: info.width / REFERENCE_FONT_PX,
      ascent: (baseline - top) / REFERENCE_FONT_PX,
      descent: (top + info.height - baseline) / REFERENCE_FONT_PX,
    };
  })();
  return textMetrics;
}

/** Whether this machine can draw the visible label (it needs one sans-serif font); for a start-up warning. */
export async function canRenderAiLabel(): Promise<boolean> {
  return (await measureLabelText()) !== null;
}

async function labelOverlay(width: number, height: number): Promise<OverlayOptions | null> {
  const metrics = await measureLabelText();
  if (!metrics) return null; // The XMP/EXIF note is still written.
  const margin = marginFor(width, height);
  const fit = (fontPx: number) => Math.ceil(metrics.width * fontPx + fontPx * 1.3);
  let fontPx = Math.max(LABEL_MIN_FONT_PX, Math.round(Math.min(width, height) * LABEL_FONT_SHARE));
  // On a very narrow image shrink the label rather than let it run off the edge (or under the logo).
  while (fontPx > LABEL_MIN_FONT_PX && fit(fontPx) > width / 2 - margin) fontPx--;
  const pillW = fit(fontPx);
  const pillH = Math.ceil(fontPx * 1.8);
  if (pillW > width - 2 * margin || pillH > height - 2 * margin) return null;
  // Centre the ink (caps and the descender of "g") vertically in the pill.
  const inkH = (metrics.ascent + metrics.descent) * fontPx;
  const baseline = (pillH - inkH) / 2 + metrics.ascent * fontPx;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${pillW}" height="${pillH}">
<rect width="${pillW}" height="${pillH}" rx="${pillH / 2}" ry="${pillH / 2}" fill="#000" fill-opacity="0.55"/>
<text x="${pillW / 2}" y="${baseline.toFixed(2)}" text-anchor="middle" font-family="${LABEL_FONT_FAMILY}" font-size="${fontPx}" font-weight="600" fill="#fff">${AI_LABEL_TEXT}</text>
</svg>`;
  return { input: Buffer.from(svg), left: margin, top: height - margin - pillH };
}
