/**
 * The engine's hand-written raster primitives against OpenCV's wasm build (@techstark/opencv-js 4.5.2) and two colour
 * libraries, on a 768×1024 person-like mask: time per call (copies into and out of OpenCV included) and whether the
 * results agree. Results are in docs/benchmarks.md. The libraries are not fitroom dependencies:
 *
 *   (cd bench/libraries && npm install --no-package-lock)
 *   node --import tsx bench/libraries/raster-vs-libraries.mts
 */
import { createRequire } from 'node:module';
import { boxBlur, gaussBlur } from '../../packages/engine/src/raster/blur.js';
import { deltaE2000, rgbToLab } from '../../packages/engine/src/raster/colour.js';
import { components } from '../../packages/engine/src/raster/components.js';
import { distanceToSet } from '../../packages/engine/src/raster/distance.js';
import { drawCapsule, drawPolygon } from '../../packages/engine/src/raster/draw.js';
import { emptyMask } from '../../packages/engine/src/raster/mask.js';
import { dilate, erode } from '../../packages/engine/src/raster/morphology.js';

const require = createRequire(import.meta.url);
const cvp = require('@techstark/opencv-js');
// The module is a thenable: never resolve a promise with it directly.
// biome-ignore lint/suspicious/noExplicitAny: opencv-js ships no types for its wasm module object
type OpenCv = any;
const cv: OpenCv = (
  await new Promise<{ cv: OpenCv }>((res) => {
    const poll = () => (cvp.Mat ? res({ cv: cvp }) : setTimeout(poll, 50));
    poll();
  })
).cv;
const culori = await import('culori');
const chroma = (await import('chroma-js')).default;

const W = 768,
  H = 1024;
// A person-like silhouette: head, torso, arms, legs; plus some specks (components).
const m = emptyMask(W, H);
drawCapsule(m, { x: 384, y: 150 }, { x: 384, y: 200 }, 70);
drawPolygon(m, [
  { x: 250, y: 260 },
  { x: 520, y: 260 },
  { x: 480, y: 620 },
  { x: 290, y: 620 },
]);
drawCapsule(m, { x: 260, y: 280 }, { x: 180, y: 560 }, 40);
drawCapsule(m, { x: 510, y: 280 }, { x: 600, y: 560 }, 40);
drawCapsule(m, { x: 330, y: 620 }, { x: 320, y: 1000 }, 55);
drawCapsule(m, { x: 440, y: 620 }, { x: 450, y: 1000 }, 55);
for (let i = 0; i < 40; i++) drawCapsule(m, { x: 20 + i * 18, y: 40 }, { x: 20 + i * 18, y: 44 }, 3);

function time(label: string, f: () => unknown, n = 10): number {
  f();
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  const ms = (performance.now() - t) / n;
  console.log(`${label.padEnd(58)} ${ms.toFixed(2).padStart(8)} ms`);
  return ms;
}
const toMat = (data: Uint8Array) => cv.matFromArray(H, W, cv.CV_8UC1, data);

console.log(`mask ${W}x${H}, ${m.data.reduce((a, b) => a + b, 0)} set pixels`);
// ---- distance transform (to the nearest set pixel)
const ours = distanceToSet(m);
const inv = m.data.map((v) => (v ? 0 : 1));
let cvDist: Float32Array = new Float32Array();
time('distance transform: ours (exact EDT, squared)', () => distanceToSet(m));
time('distance transform: OpenCV DIST_L2 PRECISE (incl. copy in/out)', () => {
  const src = toMat(inv);
  const dst = new cv.Mat();
  cv.distanceTransform(src, dst, cv.DIST_L2, cv.DIST_MASK_PRECISE);
  cvDist = new Float32Array(dst.data32F);
  src.delete();
  dst.delete();
});
let maxDiff = 0;
for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(Math.sqrt(ours[i]!) - cvDist[i]));
console.log(`  max |ours - OpenCV| = ${maxDiff.toExponential(2)} px`);
time('distance transform: OpenCV DIST_L2 3x3 (approximate)', () => {
  const src = toMat(inv);
  const dst = new cv.Mat();
  cv.distanceTransform(src, dst, cv.DIST_L2, 3);
  src.delete();
  dst.delete();
});
// ---- dilation by a disk
for (const r of [2, 8, 20]) {
  const a = dilate(m, r);
  let cvOut: Uint8Array = new Uint8Array();
  time(`dilate r=${r}: ours (Euclidean disk)`, () => dilate(m, r));
  time(`dilate r=${r}: OpenCV MORPH_ELLIPSE ${2 * r + 1}x${2 * r + 1} (incl. copy)`, () => {
    const src = toMat(m.data);
    const dst = new cv.Mat();
    const k = cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * r + 1, 2 * r + 1));
    cv.dilate(src, dst, k);
    cvOut = new Uint8Array(dst.data);
    src.delete();
    dst.delete();
    k.delete();
  });
  let diff = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== (cvOut[i] ? 1 : 0)) diff++;
  console.log(`  pixels that differ: ${diff}`);
}
time('erode r=8: ours', () => erode(m, 8));
// ---- connected components
const cc = components(m);
let cvN = 0;
let cvSizes: number[] = [];
time('components (8-conn): ours (run-length)', () => components(m));
time('components (8-conn): OpenCV connectedComponentsWithStats', () => {
  const src = toMat(m.data);
  const labels = new cv.Mat();
  const stats = new cv.Mat();
  const cents = new cv.Mat();
  cvN = cv.connectedComponentsWithStats(src, labels, stats, cents, 8, cv.CV_32S);
  cvSizes = [];
  for (let i = 0; i < cvN; i++) cvSizes.push(stats.intAt(i, cv.CC_STAT_AREA));
  src.delete();
  labels.delete();
  stats.delete();
  cents.delete();
});
console.log(
  `  ours ${cc.sizes.length - 1} components, OpenCV ${cvN - 1}; sizes equal: ${JSON.stringify(cc.sizes.slice(1)) === JSON.stringify(cvSizes.slice(1))}`,
);
// ---- blur of a float plane
const plane = new Float32Array(W * H).map((_, i) => m.data[i]! * 255);
for (const sigma of [2, 8]) {
  time(`gaussian blur sigma=${sigma}: ours (3 box passes)`, () => gaussBlur(plane, W, H, sigma));
  time(`gaussian blur sigma=${sigma}: OpenCV GaussianBlur (incl. copy)`, () => {
    const src = cv.matFromArray(H, W, cv.CV_32FC1, plane);
    const dst = new cv.Mat();
    cv.GaussianBlur(src, dst, new cv.Size(0, 0), sigma, sigma, cv.BORDER_REPLICATE);
    src.delete();
    dst.delete();
  });
}
time('box blur r=4: ours', () => boxBlur(plane, W, H, 4));
// ---- CIEDE2000
const N = 100000;
const pairs: Array<[number[], number[]]> = [];
let seed = 1;
const rnd = () => {
  seed = (seed * 16807) % 2147483647;
  return (seed / 2147483647) * 255;
};
for (let i = 0; i < N; i++)
  pairs.push([
    [rnd(), rnd(), rnd()],
    [rnd(), rnd(), rnd()],
  ]);
const labs = pairs.map(([a, b]) => [rgbToLab(a[0]!, a[1]!, a[2]!), rgbToLab(b[0]!, b[1]!, b[2]!)] as const);
const de = culori.differenceCiede2000();
const hex = (c: number[]) => ({ mode: 'rgb', r: c[0]! / 255, g: c[1]! / 255, b: c[2]! / 255 });
time(
  `CIEDE2000 x${N} (Lab in): ours`,
  () => {
    for (const [a, b] of labs) deltaE2000(a, b);
  },
  3,
);
time(
  `CIEDE2000 x${N} (RGB in): culori differenceCiede2000`,
  () => {
    for (const [a, b] of pairs) de(hex(a), hex(b));
  },
  3,
);
time(
  `CIEDE2000 x${N} (RGB in): chroma.deltaE`,
  () => {
    for (const [a, b] of pairs) chroma.deltaE(chroma.rgb(a[0]!, a[1]!, a[2]!), chroma.rgb(b[0]!, b[1]!, b[2]!));
  },
  3,
);
let dCul = 0;
let dChr = 0;
for (let i = 0; i < 2000; i++) {
  const [a, b] = pairs[i]!;
  const o = deltaE2000(labs[i]![0], labs[i]![1]);
  dCul = Math.max(dCul, Math.abs(o - de(hex(a), hex(b))));
  dChr = Math.max(dChr, Math.abs(o - chroma.deltaE(chroma.rgb(a[0]!, a[1]!, a[2]!), chroma.rgb(b[0]!, b[1]!, b[2]!))));
}
console.log(
  `  max |ours - culori| = ${dCul.toExponential(2)}, max |ours - chroma| = ${dChr.toExponential(2)} (2000 pairs)`,
);
// Sharma, Wu and Dalal (2005), test pairs 1, 7, 17, 25, 30, 34: L*a*b* in, so the libraries' own RGB → Lab does not
// enter. Columns: reference, ours, culori, chroma-js.
const sharma: Array<[[number, number, number], [number, number, number], number]> = [
  [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
  [[50, 0, 0], [50, -1, 2], 2.3669],
  [[50, 2.5, 0], [73, 25, -18], 27.1492],
  [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
  [[22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373],
  [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
];
for (const [a, b, ref] of sharma) {
  const c = de({ mode: 'lab', l: a[0], a: a[1], b: a[2] }, { mode: 'lab', l: b[0], a: b[1], b: b[2] });
  const h = chroma.deltaE(chroma.lab(a[0], a[1], a[2]), chroma.lab(b[0], b[1], b[2]));
  console.log(
    `  Sharma: ${ref.toFixed(4)}  ours ${deltaE2000(a, b).toFixed(4)}  culori ${c.toFixed(4)}  chroma ${h.toFixed(4)}`,
  );
}
