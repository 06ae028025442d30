import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { AI_DIGITAL_SOURCE_TYPE, applyOutputMarks, canRenderAiLabel } from './watermark.js';

const W = 400;
const H = 500;

/** A photo-like gradient: flat test images would hide resampling or placement mistakes. */
async function photo(format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#e8d8c0"/><stop offset="1" stop-color="#7a6a55"/></linearGradient></defs>
<rect width="${W}" height="${H}" fill="url(#g)"/><circle cx="200" cy="200" r="90" fill="#345"/></svg>`;
  const img = sharp(Buffer.from(svg));
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 95 }).toBuffer();
}

/** A red square whose outer ring is fully transparent. */
async function redLogo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect x="10" y="10" width="80" height="80" fill="#ff0000"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

async function rgb(image: Buffer, region: Region): Promise<Buffer> {
  return sharp(image).extract(region).removeAlpha().toColourspace('srgb').raw().toBuffer();
}

/** Mean absolute difference per channel value between the same region of two images. */
async function meanDiff(a: Buffer, b: Buffer, region: Region): Promise<number> {
  const [ra, rb] = await Promise.all([rgb(a, region), rgb(b, region)]);
  let sum = 0;
  for (let i = 0; i < ra.length; i++) sum += Math.abs((ra[i] ?? 0) - (rb[i] ?? 0));
  return sum / ra.length;
}

const topLeft: Region = { left: 0, top: 0, width: 120, height: 120 };
const bottomRight: Region = { left: W - 100, top: H - 100, width: 100, height: 100 };
const bottomLeft: Region = { left: 0, top: H - 60, width: 160, height: 60 };

/** The tags of IFD0 and, when present, of the GPS IFD, read straight from the TIFF structure of an EXIF block. */
function exifTags(exif: Buffer): { ifd0: Map<number, string>; gps: Map<number, string> | null } {
  const tiff = exif.subarray(exif.indexOf('Exif\0\0') === 0 ? 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const readIfd = (offset: number) => {
    const tags = new Map<number, string>();
    const count = u16(offset);
    for (let i = 0; i < count; i++) {
      const entry = offset + 2 + i * 12;
      const tag = u16(entry);
      const type = u16(entry + 2);
      const n = u32(entry + 4);
      // ASCII values longer than 4 bytes live at an offset; others are kept as their raw 4 value bytes.
      const value =
        type === 2 && n > 4
          ? tiff.toString('latin1', u32(entry + 8), u32(entry + 8) + n - 1)
          : tiff.toString('latin1', entry + 8, entry + 12);
      tags.set(tag, value);
    }
    return tags;
  };
  const ifd0 = readIfd(u32(4));
  const gpsPointer = ifd0.get(0x8825);
  const gpsOffset = gpsPointer === undefined ? null : Buffer.from(gpsPointer, 'latin1');
  return {
    ifd0,
    gps: gpsOffset ? readIfd(le ? gpsOffset.readUInt32LE(0) : gpsOffset.readUInt32BE(0)) : null,
  };
}

async function withGps(image: Buffer): Promise<Buffer> {
  return sharp(image)
    .withExif({
      IFD0: { Copyright: 'Jane Doe, private photo', Artist: 'Jane Doe' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2959/100', GPSLongitudeRef: 'E' },
    })
    .jpeg({ quality: 95 })
    .toBuffer();
}

describe('applyOutputMarks', () => {
  test('without logo and label, a clean input is passed through byte for byte', async () => {
    for (const format of ['jpeg', 'png'] as const) {
      const input = await photo(format);
      const out = await applyOutputMarks(input, { logo: null, aiLabel: false });
      assert.equal(out.contentType, format === 'png' ? 'image/png' : 'image/jpeg');
      assert.ok(out.data.equals(input), `${format}: the same bytes`);
      assert.equal(await meanDiff(out.data, input, { left: 0, top: 0, width: W, height: H }), 0);
    }
  });

  test('the logo lands bottom-right, red and partly transparent, and leaves the top-left alone', async () => {
    const input = await photo();
    const out = await applyOutputMarks(input, { logo: await redLogo(), aiLabel: false });
    assert.equal(out.contentType, 'image/jpeg');
    const meta = await sharp(out.data).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.deepEqual([meta.width, meta.height], [W, H]);

    assert.ok((await meanDiff(out.data, input, topLeft)) < 2, 'top-left only differs by re-encoding');
    assert.ok((await meanDiff(out.data, input, bottomRight)) > 20, 'bottom-right shows the logo');

    // Logo: 100 px wide → 18% of 400 = 72 px, its red square 80% of that; margin 2.5% of 400 = 10 px.
    // The centre of the red square is at (400 - 10 - 36, 500 - 10 - 36).
    const [r, g, b] = await rgb(out.data, { left: W - 46, top: H - 46, width: 1, height: 1 });
    assert.ok(r !== undefined && g !== undefined && b !== undefined);
    assert.ok(r > 200 && g < 90 && b < 90, `red at the logo's centre, got ${r},${g},${b}`);
    // At 85% opacity the background shows through: not the pure red of the logo.
    assert.ok(g > 5 || b > 5, `the photo shows through the logo, got ${r},${g},${b}`);
    // The logo's transparent ring stays transparent: just inside the logo box, outside its square, is the photo.
    assert.ok((await meanDiff(out.data, input, { left: W - 81, top: H - 81, width: 5, height: 5 })) < 4);
    // Outside the logo box on the left side of the bottom row: untouched.
    assert.ok((await meanDiff(out.data, input, { left: 150, top: H - 60, width: 100, height: 60 })) < 2);
  });

  test('a small logo is not blown up beyond 1.5× its size', async () => {
    const input = await photo('png');
    const tiny = await sharp({ create: { width: 10, height: 10, channels: 4, background: '#ff0000ff' } })
      .png()
      .toBuffer();
    const out = await applyOutputMarks(input, { logo: tiny, aiLabel: false });
    assert.equal(out.contentType, 'image/png');
    // 1.5 × 10 = 15 px, ending 10 px from the bottom-right corner.
    const inside = await rgb(out.data, { left: W - 10 - 15, top: H - 10 - 15, width: 15, height: 15 });
    for (let i = 0; i < inside.length; i += 3) assert.ok((inside[i] ?? 0) > 200, 'the 15×15 box is red');
    assert.ok((await meanDiff(out.data, input, { left: W - 10 - 25, top: H - 10 - 15, width: 9, height: 15 })) === 0);
  });

  test('aiLabel draws a label bottom-left and writes the AI-generated note in XMP and EXIF', async () => {
    assert.equal(await canRenderAiLabel(), true, 'this machine has a sans-serif font for the label');
    const input = await photo();
    const out = await applyOutputMarks(input, { logo: null, aiLabel: true });
    assert.ok((await meanDiff(out.data, input, bottomLeft)) > 10, 'bottom-left shows the label');
    assert.ok((await meanDiff(out.data, input, topLeft)) < 2);
    assert.ok((await meanDiff(out.data, input, bottomRight)) < 2, 'bottom-right is left for the logo');
    // The pill holds light text on a dark ground: both must be in the label's area.
    const label = await sharp(out.data).extract(bottomLeft).greyscale().raw().toBuffer();
    assert.ok(label.some((v) => v > 230) && label.some((v) => v < 90), 'white text on a dark pill');

    const meta = await sharp(out.data).metadata();
    const xmp = meta.xmp?.toString('utf8') ?? '';
    assert.match(xmp, /<Iptc4xmpExt:DigitalSourceType>([^<]+)<\/Iptc4xmpExt:DigitalSourceType>/);
    assert.ok(xmp.includes(`>${AI_DIGITAL_SOURCE_TYPE}<`));
    assert.ok(meta.exif, 'an EXIF block is written');
    assert.match(exifTags(meta.exif).ifd0.get(0x010e) ?? '', /AI-generated/, 'EXIF ImageDescription');
  });

  test('PNG results keep PNG and carry the note too', async () => {
    const out = await applyOutputMarks(await photo('png'), { logo: await redLogo(), aiLabel: true });
    assert.equal(out.contentType, 'image/png');
    const meta = await sharp(out.data).metadata();
    assert.equal(meta.format, 'png');
    assert.ok(meta.xmp?.toString('utf8').includes(AI_DIGITAL_SOURCE_TYPE));
  });

  test("the input's EXIF (GPS, owner) is never carried over", async () => {
    const input = await withGps(await photo());
    const before = exifTags((await sharp(input).metadata()).exif ?? Buffer.alloc(0));
    assert.ok(before.gps?.has(0x0002), 'the test input really has a GPS latitude');
    assert.equal(before.ifd0.get(0x8298), 'Jane Doe, private photo');

    for (const opts of [
      { logo: null, aiLabel: true },
      { logo: await redLogo(), aiLabel: false },
      // Nothing to draw, but the input carries metadata: it is re-encoded without it rather than passed through.
      { logo: null, aiLabel: false },
    ]) {
      const out = await applyOutputMarks(input, opts);
      const meta = await sharp(out.data).metadata();
      const raw = `${meta.exif?.toString('latin1') ?? ''}${meta.xmp?.toString('latin1') ?? ''}`;
      assert.ok(!raw.includes('Jane Doe'), `no owner data (${JSON.stringify(opts.aiLabel)})`);
      if (meta.exif) {
        const after = exifTags(meta.exif);
        assert.equal(after.gps, null, 'no GPS IFD');
        // Only the note and the structural tags libexif always writes (orientation, resolution, the Exif sub-IFD).
        const allowed = new Set([0x010e, 0x0112, 0x011a, 0x011b, 0x0128, 0x0213, 0x8769]);
        assert.deepEqual(
          [...after.ifd0.keys()].filter((t) => !allowed.has(t)),
          [],
        );
      }
      assert.equal(meta.iptc, undefined);
      if (!opts.aiLabel) assert.equal(meta.xmp, undefined);
    }
  });

  test('an EXIF-rotated input is baked upright, so the marks land in the corners people see', async () => {
    // Stored sideways (500×400) with Orientation 6 (rotate 90° clockwise to display): it displays as 400×500.
    const sideways = await sharp(await photo())
      .rotate(-90)
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    const stored = await sharp(sideways).metadata();
    assert.deepEqual([stored.width, stored.height, stored.orientation], [H, W, 6]);
    const out = await applyOutputMarks(sideways, { logo: await redLogo(), aiLabel: false });
    const meta = await sharp(out.data).metadata();
    assert.deepEqual([meta.width, meta.height, meta.orientation], [W, H, undefined]);
    const [r, g] = await rgb(out.data, { left: W - 46, top: H - 46, width: 1, height: 1 });
    assert.ok((r ?? 0) > 200 && (g ?? 255) < 90, 'the logo is bottom-right of the upright image');

    // With the note, an EXIF block is written again: its orientation must not rotate the baked pixels a second time.
    const labelled = await sharp((await applyOutputMarks(sideways, { logo: null, aiLabel: true })).data).metadata();
    assert.deepEqual([labelled.width, labelled.height], [W, H]);
    assert.ok(labelled.orientation === undefined || labelled.orientation === 1, `orientation ${labelled.orientation}`);
  });
});
