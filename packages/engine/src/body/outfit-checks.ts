/**
 * Outfits the composite engine refuses for a top or a dress (UNSUPPORTED_OUTFIT): an outer layer worn open down the
 * front over something else — an open jacket, suit jacket, cardigan, overshirt or zip hoodie over a shirt. The new
 * garment replaces the old top found from the chest (body/clothes.ts), which is the shirt between the open fronts:
 * it is drawn as a strip between the jacket's panels, and reads as a sticker.
 *
 * What it looks for, from what the parsing already has (arms, skin, torso) and the photo's colours, all of it needed:
 * - long sleeves: on both forearms (elbow to wrist, along the bone), at least LONG_SLEEVE_MIN_SHARE of the pixels are
 *   not skin, and the two sleeves are one colour (their medians within SLEEVES_MAX_DE);
 * - on the torso's rows from just below the neck (NECK_CLEAR_SW below the shoulder line) down to OPEN_ROWS_END of the
 *   way to the hips, a row reads "panel | band | panel": from the midline outwards, on each side, the first stretch of
 *   sleeve-coloured pixels (within PANEL_DE of the sleeves) at least PANEL_MIN_SW wide, reaching the torso's edge
 *   mostly sleeve-coloured; between the two stretches a band at least BAND_MIN_SW wide, mostly (BAND_MIN_OTHER) not
 *   sleeve-coloured: the shirt (a tie down its middle is allowed);
 * - most rows read so (OPEN_MIN_ROWS), the top quarter of them too (OPEN_MIN_TOP_ROWS): the band starts at the neck,
 *   so a print across the chest, a square or V neckline, or a bib that starts at the chest does not count.
 * What it does not catch: a jacket whose colour is close to the shirt's (within PANEL_DE), one worn with the sleeves
 * pushed above the elbows or with short sleeves, an open jacket with the arms out of the photo or held in front of
 * the body (no forearms to sample), and an open layer that hangs so wide its panels lie behind the arms.
 */
import type { CheckFinding } from '../engine.js';
import { rgbToLab } from '../raster/colour.js';
import type { P } from '../raster/draw.js';
import type { RawImage } from '../vision/types.js';
import type { PersonParsing } from './parsing.js';

/** A long sleeve covers the forearm: at least this share of the forearm's pixels are not skin (a bare one: ~0.1). */
export const LONG_SLEEVE_MIN_SHARE = 0.7;
/** The two sleeves of one garment: their median colours within this ΔE76 (lighting differs from side to side). */
export const SLEEVES_MAX_DE = 15;
/** A pixel within this ΔE76 of the sleeves' colour is "sleeve-coloured" (one fabric, its folds and shading). */
export const PANEL_DE = 20;
/** The rows judged start this far below the shoulder line (below the neck and the collar) … */
export const NECK_CLEAR_SW = 0.2;
/** … and end this share of the way down to the hips (above the hem, a belt, hands at the hips). */
export const OPEN_ROWS_END = 0.8;
/** A front panel is at least this wide (the narrowest open jacket seen from the front still shows this much). */
export const PANEL_MIN_SW = 0.1;
/** The band between the panels is at least this wide (a zip or a button placket is not an opening). */
export const BAND_MIN_SW = 0.1;
/** … and at least this share of its pixels are not sleeve-coloured (a tie down the shirt's middle is). */
export const BAND_MIN_OTHER = 0.55;
/** A panel's stretch, from its inner edge to the torso's side, is at least this share sleeve-coloured. */
export const PANEL_MIN_SHARE = 0.6;
/** Share of the rows that must read "panel | band | panel" … */
export const OPEN_MIN_ROWS = 0.7;
/** … and of the top quarter of them: the band starts at the neck. */
export const OPEN_MIN_TOP_ROWS = 0.6;
/** The forearm is sampled this close to its bone line (a forearm is ~0.2 shoulder widths across). */
const SLEEVE_SAMPLE_HALF_WIDTH_SW = 0.06;
/** The sleeve-coloured share is smoothed over this half-window along a row (fabric texture, a seam). */
const SMOOTH_HALF_SW = 0.02;

export interface OpenLayerMeasures {
  /** Per forearm (image left, image right): the share of its pixels that are not skin; null without elbow+wrist. */
  sleeveShare: [number | null, number | null];
  /** ΔE76 between the two sleeves' median colours. */
  sleevesDe: number | null;
  /** Share of the judged rows that read "panel | band | panel" (0 when the sleeves are not long, unless `always`). */
  openRows: number;
  /** The same on the top quarter of the rows. */
  openTopRows: number;
  /** Median width of the band on the rows that read so, in shoulder widths. */
  bandWidthSw: number | null;
  /** Whether all the conditions hold. */
  open: boolean;
}

type Lab = [number, number, number];
const de76 = (a: Lab, b: Lab) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

function labAt(img: RawImage, p: number): Lab {
  const ch = img.channels;
  return rgbToLab(img.data[p * ch]!, img.data[p * ch + 1]!, img.data[p * ch + 2]!);
}

function medianLab(samples: Lab[]): Lab {
  const med = (i: 0 | 1 | 2) => {
    const v = samples.map((s) => s[i]).sort((a, b) => a - b);
    return v[v.length >> 1]!;
  };
  return [med(0), med(1), med(2)];
}

/** A forearm's pixels near its bone line (20–90 % of the way from elbow to wrist): non-skin share, their colour. */
function sleeveSample(
  img: RawImage,
  parsing: PersonParsing,
  elbow: P | null,
  wrist: P | null,
): { share: number; colour: Lab | null } | null {
  if (!elbow || !wrist) return null;
  const { width: w, height: h } = img;
  const half = parsing.frame.shoulderWidth * SLEEVE_SAMPLE_HALF_WIDTH_SW;
  const len = Math.hypot(wrist.x - elbow.x, wrist.y - elbow.y);
  if (len < 1) return null;
  const ux = (wrist.x - elbow.x) / len;
  const uy = (wrist.y - elbow.y) / len;
  const cloth: Lab[] = [];
  let total = 0;
  const seen = new Set<number>();
  for (let t = len * 0.2; t <= len * 0.9; t += 1) {
    for (let s = -half; s <= half; s += 1) {
      const x = Math.round(elbow.x + ux * t - uy * s);
      const y = Math.round(elbow.y + uy * t + ux * s);
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      const p = y * w + x;
      if (seen.has(p) || !parsing.person.data[p]) continue;
      seen.add(p);
      total++;
      if (!parsing.skin.data[p]) cloth.push(labAt(img, p));
    }
  }
  if (total === 0) return null;
  return { share: cloth.length / total, colour: cloth.length > 0 ? medianLab(cloth) : null };
}

/**
 * The measures of an open layer. The rows are read only when both sleeves are long and one colour, unless `always`
 * (the margins script, quality/check-margins.ts, reads them on every photo with two sleeves sampled).
 */
export function openLayerMeasures(img: RawImage, parsing: PersonParsing, always = false): OpenLayerMeasures {
  const { frame, torso } = parsing;
  const { width: w } = img;
  const sw = frame.shoulderWidth;
  const L = sleeveSample(img, parsing, frame.lElbow, frame.lWrist);
  const R = sleeveSample(img, parsing, frame.rElbow, frame.rWrist);
  const out: OpenLayerMeasures = {
    sleeveShare: [L?.share ?? null, R?.share ?? null],
    sleevesDe: L?.colour && R?.colour ? de76(L.colour, R.colour) : null,
    openRows: 0,
    openTopRows: 0,
    bandWidthSw: null,
    open: false,
  };
  if (!L?.colour || !R?.colour) return out;
  const sleeves =
    L.share >= LONG_SLEEVE_MIN_SHARE && R.share >= LONG_SLEEVE_MIN_SHARE && out.sleevesDe! <= SLEEVES_MAX_DE;
  if (!sleeves && !always) return out;
  const sleeve: Lab = [
    (L.colour[0] + R.colour[0]) / 2,
    (L.colour[1] + R.colour[1]) / 2,
    (L.colour[2] + R.colour[2]) / 2,
  ];

  const sTop = { x: (frame.lShoulder.x + frame.rShoulder.x) / 2, y: (frame.lShoulder.y + frame.rShoulder.y) / 2 };
  const hip = { x: (frame.lHip.x + frame.rHip.x) / 2, y: (frame.lHip.y + frame.rHip.y) / 2 };
  const y0 = Math.round(sTop.y + sw * NECK_CLEAR_SW);
  const y1 = Math.round(sTop.y + (hip.y - sTop.y) * OPEN_ROWS_END);
  if (y1 <= y0) return out;
  const panelMin = sw * PANEL_MIN_SW;
  const bandMin = sw * BAND_MIN_SW;
  const k = Math.max(1, Math.round(sw * SMOOTH_HALF_SW));
  const rows: boolean[] = [];
  const bands: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const row = y * w;
    // The torso's extent on the row (the parsing's torso: arms beside it and bare forearms already out).
    let x0 = -1;
    let x1 = -1;
    for (let x = 0; x < w; x++) {
      if (!torso.data[row + x]) continue;
      if (x0 < 0) x0 = x;
      x1 = x;
    }
    if (x0 < 0 || x1 - x0 < 2 * panelMin + bandMin) {
      rows.push(false);
      continue;
    }
    const n = x1 - x0 + 1;
    const like = new Uint8Array(n);
    for (let i = 0; i < n; i++)
      like[i] = torso.data[row + x0 + i] && de76(labAt(img, row + x0 + i), sleeve) <= PANEL_DE ? 1 : 0;
    // Sleeve-coloured share, smoothed along the row.
    const cum = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) cum[i + 1] = cum[i]! + like[i]!;
    const share = (i: number) => {
      const a = Math.max(0, i - k);
      const b = Math.min(n - 1, i + k);
      return (cum[b + 1]! - cum[a]!) / (b - a + 1);
    };
    const t = (y - sTop.y) / Math.max(1, hip.y - sTop.y);
    const m = Math.round(sTop.x + (hip.x - sTop.x) * t) - x0;
    if (m <= 0 || m >= n - 1) {
      rows.push(false);
      continue;
    }
    // From the midline outwards: the first sleeve-coloured stretch at least a panel wide on each side.
    const panelEdge = (dir: -1 | 1): number | null => {
      let run = 0;
      for (let i = m; i >= 0 && i < n; i += dir) {
        run = share(i) >= 0.5 ? run + 1 : 0;
        if (run >= panelMin) return i - dir * (run - 1); // the stretch's inner end
      }
      return null;
    };
    const inL = panelEdge(-1);
    const inR = panelEdge(1);
    if (inL === null || inR === null) {
      rows.push(false);
      continue;
    }
    const bandW = inR - inL - 1;
    const sum = (a: number, b: number) => cum[b + 1]! - cum[a]!;
    const bandOther = bandW > 0 ? 1 - sum(inL + 1, inR - 1) / bandW : 0;
    const leftShare = sum(0, inL) / (inL + 1);
    const rightShare = sum(inR, n - 1) / (n - inR);
    const ok =
      bandW >= bandMin &&
      bandOther >= BAND_MIN_OTHER &&
      inL + 1 >= panelMin &&
      n - inR >= panelMin &&
      leftShare >= PANEL_MIN_SHARE &&
      rightShare >= PANEL_MIN_SHARE;
    rows.push(ok);
    if (ok) bands.push(bandW / sw);
  }
  const count = (a: boolean[]) => a.filter(Boolean).length / Math.max(1, a.length);
  out.openRows = count(rows);
  out.openTopRows = count(rows.slice(0, Math.max(1, Math.round(rows.length / 4))));
  bands.sort((a, b) => a - b);
  out.bandWidthSw = bands.length > 0 ? bands[bands.length >> 1]! : null;
  out.open = sleeves && out.openRows >= OPEN_MIN_ROWS && out.openTopRows >= OPEN_MIN_TOP_ROWS;
  return out;
}

/** The outfit findings for a garment that replaces the old top (a top or a dress): empty unless an open layer. */
export function outfitFindings(img: RawImage, parsing: PersonParsing): CheckFinding[] {
  const m = openLayerMeasures(img, parsing);
  if (!m.open) return [];
  return [
    {
      code: 'UNSUPPORTED_OUTFIT',
      severity: 'refuse',
      message:
        'The person appears to wear an open jacket over another top; try-on needs a photo in a single top (jacket closed or off).',
      measured: {
        openRows: Math.round(m.openRows * 100) / 100,
        openTopRows: Math.round(m.openTopRows * 100) / 100,
        bandWidthSw: Math.round((m.bandWidthSw ?? 0) * 100) / 100,
      },
    },
  ];
}
