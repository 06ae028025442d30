/** What a fit gives the warp: the body targets the garment's landmarks land on, and a forward map per garment part. */
import type { P } from '../raster/draw.js';

export interface BodyTargets {
  neck: P;
  shoulderLeft: P;
  shoulderRight: P;
  armpitLeft: P;
  armpitRight: P;
  hemLeft: P;
  hemRight: P;
  hemCenter: P;
  /** Garment scale (body shoulder width / garment shoulder width). */
  scale: number;
}

export interface GarmentFit {
  targets: BodyTargets;
  /** Forward map per part: 1 torso, 2 left sleeve, 3 right sleeve. */
  mapPart(part: number, x: number, y: number): P;
}

export const mid = (a: P, b: P): P => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
export const lerp = (a: P, b: P, t: number): P => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
