/**
 * Interim human parsing built from keypoints + the selfie person mask + the face outline + colour statistics (no
 * parsing model exists on npm; design/engine.md step 1). Regions, all binary masks at image size:
 * - head: face oval and everything of the person above the neck base (hair, ears); never touched.
 * - neck: skin below the chin down to the shoulder line, central band; in front of any collar (an old top's
 *   contrasting collar, whose stripes can pass the skin test, is taken out of it: collarBand).
 * - arms: capsules along shoulder → elbow → wrist (+ hand), refined to the person mask.
 * - torso: the quadrilateral from the shoulder joints to the hips (pushed out to the silhouette), minus bare
 *   forearms, arms hanging against the body, neck and head; the deltoids and upper arms are arm, as in DensePose's
 *   part labels.
 * - upperBody: the same out to the silhouette at the shoulders: where a top's body panel can lie.
 * - upperClothes / lowerClothes: the current garments, grown by colour similarity from seeds inside the person.
 * - skin: pixels matching a skin-colour model sampled from the face.
 */

import { gaussBlur, sampleField } from '../raster/blur.js';
import { labPlanes, luma, rgbToLab, upperMedian } from '../raster/colour.js';
import { fillHoles, largestComponent } from '../raster/components.js';
import { and, andNot, type BinaryMask, binarize, emptyMask, maskBounds, or } from '../raster/mask.js';
import { close, open, squareMorph } from '../raster/morphology.js';
import type { Keypoint, KeypointName, Mask, PersonDetection, RawImage } from '../vision/types.js';

export interface P {
  x: number;
  y: number;
}

export interface BodyFrame {
  lShoulder: P;
  rShoulder: P;
  lHip: P;
  rHip: P;
  lElbow: P | null;
  rElbow: P | null;
  lWrist: P | null;
  rWrist: P | null;
  lKnee: P | null;
  rKnee: P | null;
  lAnkle: P | null;
  rAnkle: P | null;
  nose: P | null;
  shoulderWidth: number;
  /** Whether the hips were seen (score) or extrapolated from the shoulders (half-body photo). */
  hipsSeen: boolean;
}

export interface PersonParsing {
  width: number;
  height: number;
  frame: BodyFrame;
  person: BinaryMask;
  head: BinaryMask;
  neck: BinaryMask;
  armLeft: BinaryMask;
  armRight: BinaryMask;
  /** Forearm + hand capsules only (the parts that may come in front of the torso). */
  forearmLeft: BinaryMask;
  forearmRight: BinaryMask;
  /** The body's torso: shoulder joints to hips, arms excluded (see parsePerson). */
  torso: BinaryMask;
  /**
   * Where a top's body panel can lie: the shoulder–hip quadrilateral out to the silhouette at the shoulders, so the
   * shoulder caps and whatever of the upper arms lies against the body; bare forearms, neck and head excluded.
   */
  upperBody: BinaryMask;
  skin: BinaryMask;
  upperClothes: BinaryMask;
  lowerClothes: BinaryMask;
  /** Skin colour (mean RGB of the face skin sample). */
  skinColor: [number, number, number];
}

const MIN_SCORE = 0.3;

function kp(det: PersonDetection, name: KeypointName): Keypoint | null {
  const k = det.keypoints.find((p) => p.part === name);
  return k && k.score >= MIN_SCORE ? k : null;
}

/** The body frame from keypoints; null when the shoulders are not both seen. Note: MoveNet's "left" is the person's
 * left, which is image right in a front-facing photo. We name by image side: l = smaller x. */
export function bodyFrame(det: PersonDetection): BodyFrame | null {
  const a = kp(det, 'leftShoulder');
  const b = kp(det, 'rightShoulder');
  if (!a || !b) return null;
  const swap = a.x < b.x; // person's left on image left = seen from the back or mirrored; keep image sides anyway
  const pick = (l: KeypointName, r: KeypointName): [P | null, P | null] => {
    const pl = kp(det, l);
    const pr = kp(det, r);
    // image-left is the person's right for a front-facing person
    return swap ? [pl, pr] : [pr, pl];
  };
  const [lS, rS] = pick('leftShoulder', 'rightShoulder');
  const [lE, rE] = pick('leftElbow', 'rightElbow');
  const [lW, rW] = pick('leftWrist', 'rightWrist');
  const [lH, rH] = pick('leftHip', 'rightHip');
  const [lK, rK] = pick('leftKnee', 'rightKnee');
  const [lA, rA] = pick('leftAnkle', 'rightAnkle');
  const sw = Math.hypot(rS!.x - lS!.x, rS!.y - lS!.y);
  let lHip = lH;
  let rHip = rH;
  const hipsSeen = !!(lHip && rHip);
  if (!lHip || !rHip) {
    // Half-body photo: extrapolate hips at a typical torso length (shoulder → hip ≈ 1.45 × shoulder width) below,
    // narrower than the shoulders.
    const mx = (lS!.x + rS!.x) / 2;
    const my = (lS!.y + rS!.y) / 2;
    lHip = { x: mx - sw * 0.36, y: my + sw * 1.45 };
    rHip = { x: mx + sw * 0.36, y: my + sw * 1.45 };
  }
  const nose = kp(det, 'nose');
  return {
    lShoulder: lS!,
    rShoulder: rS!,
    lHip,
    rHip,
    lElbow: lE,
    rElbow: rE,
    lWrist: lW,
    rWrist: rW,
    lKnee: lK,
    rKnee: rK,
    lAnkle: lA,
    rAnkle: rA,
    nose,
    shoulderWidth: sw,
    hipsSeen,
  };
}

/** Rasterises a capsule (segment with round caps) of radius r into `m`. */
export function drawCapsule(m: BinaryMask, a: P, b: P, r: number): void {
  const { width: w, height: h } = m;
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(a.x, b.x) + r));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r));
  const y1 = Math.min(h - 1, Math.ceil(Math.max(a.y, b.y) + r));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy || 1;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len2));
      const px = a.x + t * dx - x;
      const py = a.y + t * dy - y;
      if (px * px + py * py <= r * r) m.data[y * w + x] = 1;
    }
  }
}

/** Rasterises a polygon (even-odd) into `m`. */
export function drawPolygon(m: BinaryMask, pts: P[]): void {
  const { width: w, height: h } = m;
  if (pts.length < 3) return;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (const p of pts) {
    ymin = Math.min(ymin, p.y);
    ymax = Math.max(ymax, p.y);
  }
  for (let y = Math.max(0, Math.floor(ymin)); y <= Math.min(h - 1, Math.ceil(ymax)); y++) {
    const yc = y + 0.5;
    const xs: number[] = [];
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!;
      const q = pts[(i + 1) % pts.length]!;
      if ((p.y <= yc && q.y > yc) || (q.y <= yc && p.y > yc)) xs.push(p.x + ((yc - p.y) / (q.y - p.y)) * (q.x - p.x));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(xs[k]! - 0.5)); x <= Math.min(w - 1, Math.floor(xs[k + 1]! - 0.5)); x++) {
        m.data[y * w + x] = 1;
      }
    }
  }
}

/** Outward extent of the person mask from point p along direction (dx, dy), up to maxD pixels. */
export function edgeAlong(person: BinaryMask, p: P, dx: number, dy: number, maxD: number): number {
  const n = Math.hypot(dx, dy) || 1;
  const ux = dx / n;
  const uy = dy / n;
  let last = 0;
  let misses = 0;
  for (let d = 0; d <= maxD; d++) {
    const x = Math.round(p.x + ux * d);
    const y = Math.round(p.y + uy * d);
    if (x < 0 || y < 0 || x >= person.width || y >= person.height) break;
    if (person.data[y * person.width + x]) {
      last = d;
      misses = 0;
    } else if (++misses > 3) break;
  }
  return last;
}

/**
 * The person silhouette, edge refined against the photo. The selfie mask is predicted at 256 px and upsampled, so its
 * 50 % contour wanders a few pixels off the true edge (it bleeds onto the background by up to ~1 model pixel, ≈ 3 px
 * at 768 px wide). Within a band of ±R px around that contour each pixel is re-decided by colour: it is background
 * when it is close to the LOCAL background colour (a masked blur of the sure-background pixels, extrapolated into
 * the band) and closer to it than to the local person colour. Studio and plain backgrounds are smooth, so the local
 * background estimate is good to a few levels; where the background is busy (its local spread is high) or the two
 * local colours are too alike to tell apart, the selfie mask's own 50 % decision is kept.
 */
export function refineSilhouette(img: RawImage, soft: Mask): BinaryMask {
  const { width: fw, height: fh } = img;
  const full = largestComponent(close(binarize(soft, 128), 2)).mask;
  // Band half-width: ~2 model pixels of the 256-px selfie model, in image pixels.
  const R = Math.max(3, Math.min(12, Math.round((2 * Math.max(fw, fh)) / 256)));
  // Work in the window around the person that the band and its colour statistics (sigma 2R, ±3 sigma) can reach.
  const win = maskBounds(full, 7 * R);
  if (!win) return full;
  const [x0, y0, x1, y1] = win;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const n = w * h;
  const { channels: ch, data } = img;
  const base = emptyMask(w, h);
  for (let y = 0; y < h; y++) base.data.set(full.data.subarray((y + y0) * fw + x0, (y + y0) * fw + x0 + w), y * w);
  // The band: a square structuring element is as good as a disk here and costs O(1) per pixel.
  const grown = squareMorph(base, R, 'dilate');
  const sureFg = squareMorph(base, R, 'erode');
  // Local colour statistics at low resolution (cells of R px, Gaussian sigma 2R): sums of colour, squared colour and
  // weight over sure-background and sure-person pixels, accumulated in one pass, blurred, then divided.
  const f = R;
  const cw = Math.ceil(w / f);
  const chh = Math.ceil(h / f);
  const cells = cw * chh;
  const acc = Array.from({ length: 9 }, () => new Float32Array(cells)); // bg r,g,b,sq,w; fg r,g,b,w
  for (let y = 0; y < h; y++) {
    const cy = ((y / f) | 0) * cw;
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const bgPix = !grown.data[p];
      const fgPix = sureFg.data[p] === 1;
      if (!bgPix && !fgPix) continue;
      const c = cy + ((x / f) | 0);
      const q = ((y + y0) * fw + x + x0) * ch;
      const r = data[q]!;
      const g = data[q + 1]!;
      const b = data[q + 2]!;
      if (bgPix) {
        acc[0]![c]! += r;
        acc[1]![c]! += g;
        acc[2]![c]! += b;
        acc[3]![c]! += (r * r + g * g + b * b) / 3;
        acc[4]![c]! += 1;
      } else {
        acc[5]![c]! += r;
        acc[6]![c]! += g;
        acc[7]![c]! += b;
        acc[8]![c]! += 1;
      }
    }
  }
  const blurred = acc.map((plane) => gaussBlur(plane, cw, chh, 2));
  const field = (k: number, wk: number) => {
    const d = new Float32Array(cells);
    for (let i = 0; i < cells; i++) d[i] = blurred[wk]![i]! > 0.05 ? blurred[k]![i]! / blurred[wk]![i]! : Number.NaN;
    return { data: d, w: cw, h: chh, f };
  };
  const bgF = [field(0, 4), field(1, 4), field(2, 4), field(3, 4)];
  const fgF = [field(5, 8), field(6, 8), field(7, 8)];
  const px = (p: number, c: number) => data[((((p / w) | 0) + y0) * fw + (p % w) + x0) * ch + c]!;
  const out = new Uint8Array(base.data);
  let changed = 0;
  for (let p = 0; p < n; p++) {
    if (!grown.data[p] || sureFg.data[p]) continue;
    const x = p % w;
    const y = (p - x) / w;
    const b0 = sampleField(bgF[0]!, x, y);
    if (Number.isNaN(b0)) continue;
    const b1 = sampleField(bgF[1]!, x, y);
    const b2 = sampleField(bgF[2]!, x, y);
    // Background spread (per-channel standard deviation around the local mean): > 12 levels is not a plain wall.
    const varBg = sampleField(bgF[3]!, x, y) - (b0 * b0 + b1 * b1 + b2 * b2) / 3;
    if (varBg > 144) continue;
    const r = px(p, 0);
    const g = px(p, 1);
    const b = px(p, 2);
    const dB = Math.max(Math.abs(r - b0), Math.abs(g - b1), Math.abs(b - b2));
    const f0 = sampleField(fgF[0]!, x, y);
    let dF = 255;
    if (!Number.isNaN(f0)) {
      dF = Math.max(
        Math.abs(r - f0),
        Math.abs(g - sampleField(fgF[1]!, x, y)),
        Math.abs(b - sampleField(fgF[2]!, x, y)),
      );
    }
    // Background: within 3 spreads (at least 8 levels) of the local wall colour and nearer to it than to the
    // person's local colour. Person: clearly off the wall (more than twice that) — a pixel in between keeps the
    // selfie decision, which is right about half the anti-aliased edge pixels.
    const tol = Math.max(8, 3 * Math.sqrt(Math.max(0, varBg)));
    const isBg = dB <= tol && dB < dF;
    const isFg = dB > 2 * tol;
    const v = isBg ? 0 : isFg ? 1 : out[p]!;
    if (v !== out[p]) changed++;
    out[p] = v;
  }
  if (changed === 0) return full;
  // A 1-px opening and closing remove the speckle a per-pixel decision leaves on a JPEG edge; the largest part is
  // the person (a background patch the size of a person's colour does not join it).
  const refined = largestComponent(close(open({ data: out, width: w, height: h }, 1), 1)).mask;
  const result = emptyMask(fw, fh);
  for (let y = 0; y < h; y++) result.data.set(refined.data.subarray(y * w, y * w + w), (y + y0) * fw + x0);
  return result;
}

/** How far a skirt (not a dress) may flare past the legs at its hem, in shoulder widths, each side. */
export const SKIRT_FLARE_SW = 0.4;

/**
 * Where a skirt-like garment (a dress, or a bottom without a crotch) may hang beside the silhouette: the legs' hull
 * from the hips to a little below the hem, and for a skirt its own flare. A dress's skirt stays within the hull: the
 * flat-lay dress fixtures are photographed with their skirts spread wider than they hang.
 */
export function skirtZone(parsing: PersonParsing, category: 'dress' | 'lower', hemY: number): BinaryMask {
  const f = parsing.frame;
  const sw = f.shoulderWidth;
  const flare = category === 'lower' ? sw * SKIRT_FLARE_SW : 0;
  return legHull(parsing, (f.lHip.y + f.rHip.y) / 2, hemY + sw * 0.2, flare);
}

/**
 * The legs' hull between rows y0 and y1: per row, the span from the leftmost to the rightmost leg pixel (person
 * pixels that are not arm or hand capsules, near the hips horizontally). A skirt hangs as a tube from the hips, so
 * it covers the background between the legs. `flare` (px at y1, growing linearly from 0 at y0) widens the span on
 * both sides: an A-line skirt stands out past the legs' outer edges.
 */
export function legHull(parsing: PersonParsing, y0: number, y1: number, flare = 0): BinaryMask {
  const { width: w, height: h, person, frame } = parsing;
  const out = emptyMask(w, h);
  const sw = frame.shoulderWidth;
  const xl = Math.min(frame.lHip.x, frame.rHip.x) - sw * 0.45;
  const xr = Math.max(frame.lHip.x, frame.rHip.x) + sw * 0.45;
  const arms = [parsing.armLeft.data, parsing.armRight.data, parsing.forearmLeft.data, parsing.forearmRight.data];
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(h - 1, Math.ceil(y1)); y++) {
    let a = -1;
    let b = -1;
    for (let x = Math.max(0, Math.floor(xl)); x <= Math.min(w - 1, Math.ceil(xr)); x++) {
      const p = y * w + x;
      if (!person.data[p] || arms.some((m) => m[p])) continue;
      if (a < 0) a = x;
      b = x;
    }
    if (a < 0) continue;
    const f = Math.round((flare * (y - y0)) / Math.max(1, y1 - y0));
    for (let x = Math.max(0, a - f); x <= Math.min(w - 1, b + f); x++) out.data[y * w + x] = 1;
  }
  return out;
}

/** Tallest collar band recognised above the old top's body, in shoulder widths (a ringer's rib, a polo's collar). */
const COLLAR_MAX_SW = 0.1;

/** Smooth skin pixels in a column that make the neck above a collar. */
const NECK_RUN = 5;

/** Local luminance spread (5×5 standard deviation) above which a pixel is texture, not skin: measured on the
 * fixtures, skin is 2–13 (a neck in the chin's shadow, lit collarbones), a zebra-striped rib collar 44–51. */
const SKIN_MAX_SPREAD = 25;

/**
 * The old top's collar when it contrasts with the body (a ringer tee's rib, a printed neckband): the top is grown
 * from the chest's colour and stops short of it, its dark stripes can pass the face's broad skin model as neck (and
 * the neck is drawn in front of any garment), and a new garment with a lower or wider neckline then leaves it
 * showing round the neck. Skin is smooth, a collar's knit or print is not. Per column near the neck, what sits on
 * the top's upper edge up to its last pixel that is not smooth skin is its collar, when it is at most COLLAR_MAX_SW
 * tall and capped by neck (NECK_RUN smooth skin pixels); so are textured "skin" pixels within that height below
 * the edge. Hair beside the neck runs up into the head instead and stays as it is.
 */
function collarBand(
  img: RawImage,
  top: BinaryMask,
  person: BinaryMask,
  skin: BinaryMask,
  head: BinaryMask,
  midX: number,
  sw: number,
): BinaryMask {
  const { width: w, height: h, channels: ch, data } = img;
  const out = emptyMask(w, h);
  const b = maskBounds(top);
  if (!b) return out;
  const lum = (x: number, y: number) => {
    const q = (Math.max(0, Math.min(h - 1, y)) * w + Math.max(0, Math.min(w - 1, x))) * ch;
    return luma(data[q]!, data[q + 1]!, data[q + 2]!);
  };
  const smoothSkin = (x: number, y: number): boolean => {
    if (!skin.data[y * w + x]) return false;
    let s = 0;
    let s2 = 0;
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const l = lum(x + dx, y + dy);
        s += l;
        s2 += l * l;
      }
    }
    return s2 / 25 - (s / 25) ** 2 < SKIN_MAX_SPREAD * SKIN_MAX_SPREAD;
  };
  const maxH = Math.max(2, Math.round(sw * COLLAR_MAX_SW));
  for (let x = Math.max(0, Math.round(midX - sw * 0.45)); x <= Math.min(w - 1, Math.round(midX + sw * 0.45)); x++) {
    let y = b[1];
    while (y <= b[3] && !top.data[y * w + x]) y++;
    if (y > b[3]) continue;
    // Up from the edge to the neck: a run of NECK_RUN smooth skin pixels (a collar's wide dark stripe can be
    // smooth over a few pixels). The collar is what lies below that run.
    let height = 0;
    let smooth = 0;
    let capped = false;
    for (let k = 1; k <= maxH + NECK_RUN && y - k >= 0; k++) {
      const p = (y - k) * w + x;
      if (!person.data[p] || head.data[p]) break;
      if (!smoothSkin(x, y - k)) {
        if (k > maxH) break;
        height = k;
        smooth = 0;
      } else if (++smooth >= NECK_RUN) {
        capped = true;
        break;
      }
    }
    if (!capped) continue;
    for (let d = 1; d <= height; d++) out.data[(y - d) * w + x] = 1;
    // Stripes of the collar below that edge: ones the top's growth stepped over, and ones its hole filling took
    // in while they passed the skin test as neck (the neck is drawn in front: they must leave it).
    for (let d = 0; d <= maxH && y + d < h; d++) {
      const p = (y + d) * w + x;
      if (person.data[p] && !head.data[p] && skin.data[p] && !smoothSkin(x, y + d)) out.data[p] = 1;
    }
  }
  return out;
}

/** An upper arm's width across, in shoulder widths (0.20–0.24 measured on the fixtures where an arm hangs free). */
const ARM_WIDTH_SW = 0.22;

/**
 * The arms where they hang against the body. An arm hanging straight down from its shoulder joint has half its width
 * on the body's side of the joint, so the joint-to-hip polygon takes it in, and the arm capsules (drawn round the
 * bone line, as wide as an arm can be) would take a slice of chest with them. The outer edge of an arm is always
 * silhouette, though: per row below the armpits, the arm is the arm's width inward from the outermost person pixel
 * of its capsule, up to a gap if there is one (an arm held off the body).
 */
function armsBesideTorso(person: BinaryMask, armL: BinaryMask, armR: BinaryMask, frame: BodyFrame): BinaryMask {
  const { width: w, height: h } = person;
  const out = emptyMask(w, h);
  const armW = Math.round(frame.shoulderWidth * ARM_WIDTH_SW);
  const y0 = Math.max(0, Math.round((frame.lShoulder.y + frame.rShoulder.y) / 2 + frame.shoulderWidth * 0.3));
  for (const [arm, side] of [
    [armL, 1],
    [armR, -1],
  ] as const) {
    const b = maskBounds(arm);
    if (!b) continue;
    for (let y = Math.max(y0, b[1]); y <= b[3]; y++) {
      const row = y * w;
      // The outermost capsule pixel on the row: scanning inward (side = +1 from the left, -1 from the right).
      let x = side === 1 ? b[0] : b[2];
      while (x >= b[0] && x <= b[2] && !arm.data[row + x]) x += side;
      if (x < b[0] || x > b[2]) continue;
      for (let d = 0; d < armW && x >= 0 && x < w && person.data[row + x]; d++, x += side) out.data[row + x] = 1;
    }
  }
  return out;
}

/**
 * Builds the parsing. Throws nothing; callers check `frame` preconditions (shoulders seen) before calling.
 */
export interface ParseOptions {
  /**
   * Whether to find the current lower garment (default true). A top replaces only the upper garment, so the composite
   * skips this region growing (~60 ms) for tops; `lowerClothes` is then empty.
   */
  lower?: boolean;
}

export function parsePerson(
  img: RawImage,
  det: PersonDetection,
  frame: BodyFrame,
  options: ParseOptions = {},
): PersonParsing {
  const { width: w, height: h, channels: ch, data } = img;
  const person = det.mask ? refineSilhouette(img, det.mask) : emptyMask(w, h);
  const sw = frame.shoulderWidth;
  // Lab once per pixel (only inside the person: nothing outside it is classified).
  const { L: labL, A: labA, B: labB } = labPlanes(img, person);

  // ---- skin model from the face: mean and spread of a*, b* and L* over the inner face (eyes, brows and lips
  // excluded by the central-cheek sampling box).
  const skinSamples: Array<[number, number, number, number, number, number]> = [];
  if (det.face) {
    const [fx, fy, fw, fh] = det.face.box;
    for (let y = Math.round(fy + fh * 0.45); y < fy + fh * 0.75; y++) {
      for (let x = Math.round(fx + fw * 0.2); x < fx + fw * 0.8; x++) {
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        const i = (y * w + x) * ch;
        const [L, A, B] = rgbToLab(data[i]!, data[i + 1]!, data[i + 2]!);
        skinSamples.push([L, A, B, data[i]!, data[i + 1]!, data[i + 2]!]);
      }
    }
  }
  const mean = (k: number) => skinSamples.reduce((s, v) => s + v[k]!, 0) / Math.max(1, skinSamples.length);
  const sd = (k: number, m: number) =>
    Math.sqrt(skinSamples.reduce((s, v) => s + (v[k]! - m) ** 2, 0) / Math.max(1, skinSamples.length));
  const mL = skinSamples.length ? mean(0) : 60;
  const mA = skinSamples.length ? mean(1) : 15;
  const mB = skinSamples.length ? mean(2) : 20;
  const sA = Math.max(3, skinSamples.length ? sd(1, mA) : 6);
  const sB = Math.max(3, skinSamples.length ? sd(2, mB) : 6);
  const skinColor: [number, number, number] = skinSamples.length ? [mean(3), mean(4), mean(5)] : [190, 150, 130];
  const skin = emptyMask(w, h);
  const minL = mL - 35;
  const maxL = mL + 25;
  const kA = 1 / (sA * 2.5);
  const kB = 1 / (sB * 2.5);
  const pd = person.data;
  const sd2 = skin.data;
  // Person pixels only, so only the person's bounding box is scanned (here and in the seed counts below).
  const [px0, py0, px1, py1] = maskBounds(person) ?? [0, 0, -1, -1];
  for (let p = py0 * w + px0; p <= py1 * w + px1; p++) {
    if (!pd[p]) continue;
    // Chroma within ~2.5 standard deviations of the face's; lightness within a wide band (arms are often lit
    // differently from the face). A neutral white or grey shirt fails the chroma test even when its L matches.
    const dA = (labA[p]! - mA) * kA;
    const dB = (labB[p]! - mB) * kB;
    const L = labL[p]!;
    if (dA * dA + dB * dB <= 1 && L > minL && L < maxL) sd2[p] = 1;
  }

  // ---- head: the face outline, plus every person pixel above the neck base (hair, ears, hats).
  const shoulderY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
  const midX = (frame.lShoulder.x + frame.rShoulder.x) / 2;
  const head = emptyMask(w, h);
  let chinY = shoulderY - sw * 0.35;
  if (det.face) {
    const sil = det.face.silhouette.map(([x, y]) => ({ x, y }));
    if (sil.length >= 3) {
      drawPolygon(head, sil);
      chinY = Math.max(...sil.map((p) => p.y));
    } else {
      const [fx, fy, fw, fh] = det.face.box;
      drawPolygon(head, [
        { x: fx, y: fy },
        { x: fx + fw, y: fy },
        { x: fx + fw, y: fy + fh },
        { x: fx, y: fy + fh },
      ]);
      chinY = fy + fh;
    }
  }
  // Above the chin everything of the person is head (hair falls beside the face).
  for (let y = 0; y < Math.min(h, Math.round(chinY)); y++) {
    for (let x = 0; x < w; x++) if (person.data[y * w + x] && Math.abs(x - midX) < sw * 0.7) head.data[y * w + x] = 1;
  }
  // Long hair over the shoulders: dark-or-not-skin pixels contiguous with the head and beside the neck are hard to
  // tell from a garment; we keep the simpler rule and let the neck band below stay in front.

  // ---- neck: skin between the chin and the shoulder line, within a central band. (A dark collar's stripes can
  // pass the face's broad skin model; collarBand below takes them back.)
  let neck = emptyMask(w, h);
  const neckHalf = sw * 0.28;
  for (let y = Math.max(0, Math.round(chinY - sw * 0.1)); y < Math.min(h, Math.round(shoulderY + sw * 0.05)); y++) {
    for (let x = Math.max(0, Math.round(midX - neckHalf)); x < Math.min(w, Math.round(midX + neckHalf)); x++) {
      const p = y * w + x;
      if (skin.data[p] && person.data[p]) neck.data[p] = 1;
    }
  }

  // ---- arms: capsules, radius from the shoulder width (upper arm ~ 0.19 sw, forearm ~ 0.15 sw), clipped to the
  // person mask. The hand extends the forearm by 40 % of its length past the wrist.
  const armCaps = (s: P, e: P | null, wr: P | null) => {
    const arm = emptyMask(w, h);
    const fore = emptyMask(w, h);
    if (!e) return { arm, fore };
    drawCapsule(arm, s, e, sw * 0.2);
    if (wr) {
      drawCapsule(fore, e, wr, sw * 0.16);
      const hx = wr.x + (wr.x - e.x) * 0.4;
      const hy = wr.y + (wr.y - e.y) * 0.4;
      drawCapsule(fore, wr, { x: hx, y: hy }, sw * 0.17);
    }
    const both = or(arm, fore);
    return { arm: and(both, person), fore: and(fore, person) };
  };
  const L = armCaps(frame.lShoulder, frame.lElbow, frame.lWrist);
  const R = armCaps(frame.rShoulder, frame.rElbow, frame.rWrist);

  // ---- torso: the shoulder joints down to the hips pushed out to the silhouette, polygon ∩ person − head − neck.
  // The upper corners are the joints themselves, not the silhouette edge beside them: as in DensePose's part
  // labels, the torso ends at the shoulder joint and the armpit, and the deltoid and the upper arm are arm. A
  // polygon out to the deltoid's edge also took in the upper arm wherever it hangs against the body, so a tank
  // top or a vest "missed" torso that was arm.
  const pushOut = (p: P, dirX: number, maxD: number): P => {
    const d = edgeAlong(person, p, dirX, 0, maxD);
    return { x: p.x + dirX * d, y: p.y };
  };
  const lH = pushOut(frame.lHip, -1, sw * 0.5);
  const rH = pushOut(frame.rHip, 1, sw * 0.5);
  const quad = (top: [P, P]) => {
    const m = emptyMask(w, h);
    drawPolygon(m, [{ x: top[0].x, y: top[0].y - sw * 0.05 }, { x: top[1].x, y: top[1].y - sw * 0.05 }, rH, lH]);
    return andNot(andNot(and(m, person), head), neck);
  };
  let upperBody = quad([pushOut(frame.lShoulder, -1, sw * 0.35), pushOut(frame.rShoulder, 1, sw * 0.35)]);
  // With tilted shoulders the joint-to-joint top edge can run a row above the edge-to-edge one: the torso is kept
  // inside the upper body.
  const torsoM = and(quad([frame.lShoulder, frame.rShoulder]), upperBody);

  // ---- the current upper garment: colour-similar region grown from the chest, inside the person, outside the head.
  const seedTop = shoulderY + sw * 0.25;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const seedBot = shoulderY + (hipY - shoulderY) * 0.55;
  const grow = (seed: BinaryMask, allowed: BinaryMask, tolerance: number): BinaryMask => {
    // Colour model: median Lab of the seed's non-skin pixels. Growth accepts pixels within `tolerance` ΔE76 of the
    // model (lightness at half weight: shading) OR within a tighter distance of their already-accepted neighbour
    // (follows shading across folds). Squared distances throughout: no square roots in the inner loop.
    const ls: number[] = [];
    const as: number[] = [];
    const bs: number[] = [];
    const [sx0, sy0, sx1, sy1] = maskBounds(seed) ?? [0, 0, -1, -1];
    const sFirst = sy0 * w + sx0;
    const sLast = sy1 * w + sx1;
    for (let p = sFirst; p <= sLast; p++) {
      if (!seed.data[p]) continue;
      ls.push(labL[p]!);
      as.push(labA[p]!);
      bs.push(labB[p]!);
    }
    const m0 = upperMedian(ls);
    const m1 = upperMedian(as);
    const m2 = upperMedian(bs);
    const tol2 = tolerance * tolerance;
    const loose2 = (tolerance * 1.6) ** 2;
    const out = emptyMask(w, h);
    const od = out.data;
    const al = allowed.data;
    const stack = new Int32Array(w * h);
    let sp = 0;
    for (let p = sFirst; p <= sLast; p++) {
      if (!seed.data[p] || !al[p]) continue;
      const dl = labL[p]! - m0;
      const da = labA[p]! - m1;
      const db = labB[p]! - m2;
      if (dl * dl + da * da + db * db <= tol2) {
        od[p] = 1;
        stack[sp++] = p;
      }
    }
    const visit = (q: number, l0: number, a0: number, b0: number) => {
      if (od[q] || !al[q]) return;
      const l = labL[q]!;
      const a = labA[q]!;
      const b = labB[q]!;
      const dl = (l - m0) * 0.5;
      const da = a - m1;
      const db = b - m2;
      const dModel2 = dl * dl + da * da + db * db;
      if (dModel2 <= tol2) {
        od[q] = 1;
        stack[sp++] = q;
        return;
      }
      if (dModel2 > loose2) return;
      const nl = l - l0;
      const na = a - a0;
      const nb = b - b0;
      if (nl * nl + na * na + nb * nb <= 16) {
        od[q] = 1;
        stack[sp++] = q;
      }
    };
    while (sp > 0) {
      const p = stack[--sp]!;
      const x = p % w;
      const l0 = labL[p]!;
      const a0 = labA[p]!;
      const b0 = labB[p]!;
      if (x > 0) visit(p - 1, l0, a0, b0);
      if (x < w - 1) visit(p + 1, l0, a0, b0);
      if (p >= w) visit(p - w, l0, a0, b0);
      if (p < w * (h - 1)) visit(p + w, l0, a0, b0);
    }
    return out;
  };
  const seed = emptyMask(w, h);
  drawPolygon(seed, [
    { x: midX - sw * 0.22, y: seedTop },
    { x: midX + sw * 0.22, y: seedTop },
    { x: midX + sw * 0.22, y: seedBot },
    { x: midX - sw * 0.22, y: seedBot },
  ]);
  const seedClothes = andNot(and(seed, person), skin);
  const allowedUpper = andNot(andNot(person, head), neck);
  let upperClothes = emptyMask(w, h);
  // A bare chest (no upper garment) gives a seed that is mostly skin: then there is no old upper garment.
  let seedCount = 0;
  let seedTotal = 0;
  for (let p = py0 * w + px0; p <= py1 * w + px1; p++) {
    if (seed.data[p] && person.data[p]) {
      seedTotal++;
      if (!skin.data[p]) seedCount++;
    }
  }
  if (seedTotal > 0 && seedCount / seedTotal > 0.4) {
    upperClothes = grow(seedClothes, allowedUpper, 16);
    upperClothes = andNot(fillHoles(close(upperClothes, 3)), head);
    upperClothes = and(open(upperClothes, 2), person);
    const collar = collarBand(img, upperClothes, person, skin, head, midX, sw);
    upperClothes = or(upperClothes, collar);
    neck = andNot(neck, collar);
  }

  // ---- the current lower garment: grown from between the hips and knees.
  const lowerSeed = emptyMask(w, h);
  const kneeY = frame.lKnee && frame.rKnee ? (frame.lKnee.y + frame.rKnee.y) / 2 : hipY + sw * 1.2;
  drawCapsule(lowerSeed, frame.lHip, { x: frame.lHip.x, y: hipY + (kneeY - hipY) * 0.5 }, sw * 0.12);
  drawCapsule(lowerSeed, frame.rHip, { x: frame.rHip.x, y: hipY + (kneeY - hipY) * 0.5 }, sw * 0.12);
  const lowerSeedC = andNot(andNot(and(lowerSeed, person), skin), upperClothes);
  let lowerClothes = emptyMask(w, h);
  let ls = 0;
  if (options.lower !== false) for (let p = py0 * w + px0; p <= py1 * w + px1; p++) ls += lowerSeedC.data[p]!;
  if (ls > 50 && options.lower !== false) {
    lowerClothes = grow(lowerSeedC, andNot(allowedUpper, upperClothes), 16);
    lowerClothes = and(fillHoles(close(lowerClothes, 3)), andNot(person, upperClothes));
  }

  // Arms exclude clothing only where the clothing is a sleeve; keep the raw capsules (the composite decides what is
  // in front) but drop the torso's overlap from the torso mask.
  const bareForearms = or(andNot(L.fore, upperClothes), andNot(R.fore, upperClothes));
  const torso = andNot(andNot(torsoM, bareForearms), armsBesideTorso(person, L.arm, R.arm, frame));
  upperBody = andNot(upperBody, bareForearms);

  return {
    width: w,
    height: h,
    frame,
    person,
    head: and(head, person),
    neck,
    armLeft: L.arm,
    armRight: R.arm,
    forearmLeft: L.fore,
    forearmRight: R.fore,
    torso,
    upperBody,
    skin,
    upperClothes,
    lowerClothes,
    skinColor,
  };
}
