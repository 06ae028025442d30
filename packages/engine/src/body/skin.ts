/** The skin-colour model, sampled from the face, and the person's pixels that match it. */
import { type LabPlanes, rgbToLab } from '../raster/colour.js';
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import type { PersonDetection, RawImage } from '../vision/types.js';

/** The inner face's central cheeks, as fractions of the face box: eyes, brows and lips stay out of the sample. */
const CHEEK_BOX = { top: 0.45, bottom: 0.75, left: 0.2, right: 0.8 };
/** Without a face: a mid skin tone in L*a*b* and RGB, with a broad spread. */
const DEFAULT_LAB = { L: 60, A: 15, B: 20 };
const DEFAULT_SPREAD = 6;
const DEFAULT_RGB: [number, number, number] = [190, 150, 130];
/** A floor on the chroma spread: a very even face would otherwise reject its own neck. */
const MIN_SPREAD = 3;
/** Chroma within this many standard deviations of the face's is skin. */
const CHROMA_SDS = 2.5;
/** Lightness band round the face's: arms are often lit differently from the face, and shadows are darker. */
const L_BELOW = 35;
const L_ABOVE = 25;

export interface SkinModel {
  /** Person pixels matching the face's skin colour. */
  skin: BinaryMask;
  /** Skin colour (mean RGB of the face skin sample). */
  skinColor: [number, number, number];
}

/**
 * The skin model from the face: mean and spread of a*, b* and L* over the inner face, then every person pixel (inside
 * `personBox`) whose chroma and lightness match it.
 */
export function skinFromFace(
  img: RawImage,
  face: PersonDetection['face'],
  person: BinaryMask,
  personBox: readonly [number, number, number, number],
  lab: LabPlanes,
): SkinModel {
  const { width: w, height: h, channels: ch, data } = img;
  const { L: labL, A: labA, B: labB } = lab;
  const skinSamples: Array<[number, number, number, number, number, number]> = [];
  if (face) {
    const [fx, fy, fw, fh] = face.box;
    for (let y = Math.round(fy + fh * CHEEK_BOX.top); y < fy + fh * CHEEK_BOX.bottom; y++) {
      for (let x = Math.round(fx + fw * CHEEK_BOX.left); x < fx + fw * CHEEK_BOX.right; x++) {
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
  const mL = skinSamples.length ? mean(0) : DEFAULT_LAB.L;
  const mA = skinSamples.length ? mean(1) : DEFAULT_LAB.A;
  const mB = skinSamples.length ? mean(2) : DEFAULT_LAB.B;
  const sA = Math.max(MIN_SPREAD, skinSamples.length ? sd(1, mA) : DEFAULT_SPREAD);
  const sB = Math.max(MIN_SPREAD, skinSamples.length ? sd(2, mB) : DEFAULT_SPREAD);
  const skinColor: [number, number, number] = skinSamples.length ? [mean(3), mean(4), mean(5)] : [...DEFAULT_RGB];
  const skin = emptyMask(w, h);
  const minL = mL - L_BELOW;
  const maxL = mL + L_ABOVE;
  const kA = 1 / (sA * CHROMA_SDS);
  const kB = 1 / (sB * CHROMA_SDS);
  const pd = person.data;
  const sd2 = skin.data;
  // Person pixels only, so only the person's bounding box is scanned.
  const [px0, py0, px1, py1] = personBox;
  for (let p = py0 * w + px0; p <= py1 * w + px1; p++) {
    if (!pd[p]) continue;
    // A neutral white or grey shirt fails the chroma test even when its L matches.
    const dA = (labA[p]! - mA) * kA;
    const dB = (labB[p]! - mB) * kB;
    const L = labL[p]!;
    if (dA * dA + dB * dB <= 1 && L > minL && L < maxL) sd2[p] = 1;
  }
  return { skin, skinColor };
}
