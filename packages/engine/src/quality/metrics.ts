/**
 * The quality metrics of design/engine.md, computed from one try-on's internals.
 * - identity: mean absolute difference (per channel, 0..255) outside the dilated old+new garment region; target 0.
 * - coverage: share of the body's torso region covered by the new garment; target ≥ 0.9 for tops. The torso is
 *   parsing.torso: shoulder joints to hips, arms excluded (DensePose's torso). For a bottom, the body from the
 *   waistband to the hem, less arms and hands. `coverageUpperBody` is the same share of parsing.upperBody, the region
 *   this metric used until the torso was corrected (out to the silhouette at the shoulders, and whatever of the upper
 *   arms lies against the body): reported so the two can be compared, not targeted.
 * - spill: share of the new garment's pixels outside the person's silhouette grown by 3 px; target ≤ 2 %. For a dress
 *   or a skirt the silhouette includes parsing.skirtZone (the legs' hull from the hips to the hem, and a skirt's
 *   flare): a skirt hangs across the gap between the legs, which is not spill. `spillSilhouette` is the same share
 *   against the bare silhouette.
 * - colourDeltaE: CIEDE2000 between the product's median garment colour and the result's garment region; ≤ 8.
 * - residue: share of the old garment's pixels left unchanged (still showing) outside face/neck; target ≤ 5 %.
 * Residue can only see the old garment the parsing found: a garment part the parsing missed is invisible to it.
 * What a shopper sees at thumbnail size, which the figures above missed (a third of a held-out set was judged garish
 * while they stayed green):
 * - blockiness: share of the silhouette repainted as flat, square, hard-edged blocks (see {@link blockiness}); a
 *   pair is `blocky` at ≥ 5 % (BLOCKY_SHARE); `blockyPatches` counts them.
 * - armsCovered: share of the keypoint samples on arms and hands against the body that the new garment was drawn
 *   over (see {@link armsCovered}); `armCovered` at ≥ 30 % and 3 samples.
 * Those two live in composite/result-measures.ts: the engine's result criteria (composite/result-checks.ts) refuse
 * on them too.
 */

import { skirtZone } from '../body/legs.js';
import type { CompositeResult } from '../composite/compose.js';
import { armsCovered, blockiness } from '../composite/result-measures.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { deltaE2000, rgbToLab, upperMedian } from '../raster/colour.js';
import { type BinaryMask, or } from '../raster/mask.js';
import { dilate } from '../raster/morphology.js';
import type { RawImage } from '../vision/types.js';

export interface PairMetrics {
  identity: number;
  coverage: number;
  spill: number;
  colourDeltaE: number;
  residue: number;
  spillSilhouette: number;
  coverageUpperBody: number;
  /** Blocky fills (see {@link blockiness}): share of the silhouette, blocky patches, and the pair's flag. */
  blockiness: number;
  blockyPatches: number;
  blocky: boolean;
  /** Arms drawn over (see {@link armsCovered}): share of the counted arm samples, their number, the pair's flag. */
  armsCovered: number;
  armSamples: number;
  armCovered: boolean;
}

function medianLab(img: RawImage, pick: (p: number) => boolean): [number, number, number] {
  const L: number[] = [];
  const A: number[] = [];
  const B: number[] = [];
  const n = img.width * img.height;
  // Every 2nd pixel is plenty for a median and halves the Lab conversions.
  for (let p = 0; p < n; p += 2) {
    if (!pick(p)) continue;
    const [l, a, b] = rgbToLab(
      img.data[p * img.channels]!,
      img.data[p * img.channels + 1]!,
      img.data[p * img.channels + 2]!,
    );
    L.push(l);
    A.push(a);
    B.push(b);
  }
  return [upperMedian(L), upperMedian(A), upperMedian(B)];
}

export function measurePair(person: RawImage, garment: GarmentAnalysis, r: CompositeResult): PairMetrics {
  const { width: w, height: h, channels: ch } = person;
  const n = w * h;
  const newG: BinaryMask = { data: new Uint8Array(n), width: w, height: h };
  for (let p = 0; p < n; p++) newG.data[p] = r.garmentAlpha[p]! > 0.002 || r.filled.data[p] ? 1 : 0;
  const region = dilate({ data: newG.data.map((v, p) => v | r.oldRegion.data[p]!), width: w, height: h }, 3);
  let diff = 0;
  let outside = 0;
  for (let p = 0; p < n; p++) {
    if (region.data[p]) continue;
    outside++;
    for (let c = 0; c < ch; c++) diff += Math.abs(r.image.data[p * ch + c]! - person.data[p * ch + c]!);
  }
  const identity = outside > 0 ? diff / (outside * ch) : 0;

  let toCover = 0;
  let regionCovered = 0;
  let gPix = 0;
  let gOut = 0;
  let gOutSil = 0;
  const grownSil = dilate(r.parsing.person, 3);
  let grown = grownSil;
  const { category } = garment.cls;
  if (category === 'dress' || (category === 'lower' && !garment.bottom?.crotch)) {
    grown = dilate(or(r.parsing.person, skirtZone(r.parsing, category, r.targets.hemCenter.y)), 3);
  }
  // The region the garment should cover: the torso for tops and dresses; for a bottom, the body (less arms and
  // hands) from the waistband to the hem.
  let shouldCover = r.parsing.torso;
  if (category === 'lower') {
    const { parsing, targets } = r;
    const top = Math.ceil(Math.min(targets.shoulderLeft.y, targets.shoulderRight.y));
    const hem = garment.bottom?.crotch ? Math.max(targets.hemLeft.y, targets.hemRight.y) : targets.hemCenter.y;
    shouldCover = { data: new Uint8Array(n), width: w, height: h };
    const arms = [parsing.armLeft, parsing.armRight, parsing.forearmLeft, parsing.forearmRight];
    for (let p = Math.max(0, top) * w; p < Math.min(h, Math.floor(hem)) * w; p++) {
      if (parsing.person.data[p] && !arms.some((m) => m.data[p])) shouldCover.data[p] = 1;
    }
  }
  const upperBody = category === 'lower' ? shouldCover : r.parsing.upperBody;
  let upperBodyN = 0;
  let upperBodyCovered = 0;
  for (let p = 0; p < n; p++) {
    const covered = r.garmentAlpha[p]! > 0.5;
    if (shouldCover.data[p]) {
      toCover++;
      if (covered) regionCovered++;
    }
    if (upperBody.data[p]) {
      upperBodyN++;
      if (covered) upperBodyCovered++;
    }
    if (covered) {
      gPix++;
      if (!grown.data[p]) gOut++;
      if (!grownSil.data[p]) gOutSil++;
    }
  }
  const front = (p: number) => r.parsing.head.data[p] || r.parsing.neck.data[p];
  let oldN = 0;
  let oldSame = 0;
  for (let p = 0; p < n; p++) {
    if (!r.oldRegion.data[p] || front(p)) continue;
    oldN++;
    let same = true;
    for (let c = 0; c < ch; c++) if (r.image.data[p * ch + c] !== person.data[p * ch + c]) same = false;
    if (same) oldSame++;
  }
  const blocks = blockiness(person, r.image, r.filled, r.garmentAlpha, r.parsing.person);
  // The body frame is the keypoints (by image side), not a parsing mask.
  const arms = armsCovered(person, r.image, r.garmentAlpha, r.parsing.frame, garment.cls);
  const productLab = medianLab(garment.image, (p) => garment.mask.data[p] === 1);
  const resultLab = medianLab(r.image, (p) => r.garmentAlpha[p]! > 0.9);
  return {
    identity,
    coverage: toCover > 0 ? regionCovered / toCover : 0,
    spill: gPix > 0 ? gOut / gPix : 0,
    colourDeltaE: gPix > 0 ? deltaE2000(productLab, resultLab) : Number.NaN,
    residue: oldN > 0 ? oldSame / oldN : 0,
    spillSilhouette: gPix > 0 ? gOutSil / gPix : 0,
    coverageUpperBody: upperBodyN > 0 ? upperBodyCovered / upperBodyN : 0,
    blockiness: blocks.share,
    blockyPatches: blocks.count,
    blocky: blocks.blocky,
    armsCovered: arms.share,
    armSamples: arms.counted,
    armCovered: arms.armCovered,
  };
}
