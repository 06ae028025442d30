/**
 * The person-aware 4:5 crop of POST /images/upload (spec §2.1): frame the person head to feet (or to the lowest
 * visible body part) in a 4:5 window, padding the image rather than cutting a limb off; fall back to the face, then to
 * the image centre.
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import { EngineError } from '../engine.js';
import { KEYPOINT_MIN_SCORE } from './person-detector.js';
import type { CropWindow, Keypoint, KeypointName, Mask, PersonDetection, RawImage } from './types.js';

export interface CropOptions {
  /** Space above the head, as a share of the person's height (default 0.06). Never causes padding on its own. */
  headroom?: number;
  /** Space below the feet (default 0.04) and at each side (default 0.06), same unit. */
  footroom?: number;
  sideroom?: number;
  /**
   * How far the window may extend beyond the image on each axis, as a share of the window (default 0.25). Beyond it
   * the window is shrunk around the body instead (a person lying across a landscape photo would be mostly padding).
   */
  maxPadShare?: number;
}

type Rect = { x0: number; y0: number; x1: number; y1: number };
type Edges = { top: boolean; bottom: boolean; left: boolean; right: boolean };

const seen = (k: Keypoint | undefined): k is Keypoint => !!k && k.score >= KEYPOINT_MIN_SCORE;

/**
 * Bounding box (in image pixels) of the part of the mask connected to the body's torso keypoints, found on a coarse
 * grid. Using the connected component rather than the whole mask keeps a second person or a chair that the selfie
 * model also marked from stretching the window. Null when the mask is empty near the body.
 */
function bodyComponent(mask: Mask, seeds: Keypoint[]): (Rect & { step: number }) | null {
  const { width: W, height: H } = mask;
  const step = Math.max(1, Math.round(Math.max(W, H) / 256));
  const gw = Math.ceil(W / step);
  const gh = Math.ceil(H / step);
  const on = new Uint8Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    const y = Math.min(H - 1, gy * step + (step >> 1));
    for (let gx = 0; gx < gw; gx++) {
      const x = Math.min(W - 1, gx * step + (step >> 1));
      if (mask.data[y * W + x]! >= 128) on[gy * gw + gx] = 1;
    }
  }
  const stack: number[] = [];
  const visited = new Uint8Array(gw * gh);
  for (const k of seeds) {
    // Seed from the nearest "on" cell within a small radius: joints sit on the silhouette edge at times.
    const cx = Math.round(k.x / step);
    const cy = Math.round(k.y / step);
    let found = -1;
    for (let r = 0; r <= 3 && found < 0; r++) {
      for (let dy = -r; dy <= r && found < 0; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const gx = cx + dx;
          const gy = cy + dy;
          if (gx < 0 || gy < 0 || gx >= gw || gy >= gh || !on[gy * gw + gx]) continue;
          found = gy * gw + gx;
          break;
        }
      }
    }
    if (found >= 0 && !visited[found]) {
      visited[found] = 1;
      stack.push(found);
    }
  }
  if (stack.length === 0) return null;
  let [x0, y0, x1, y1] = [gw, gh, -1, -1];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const gx = i % gw;
    const gy = (i - gx) / gw;
    x0 = Math.min(x0, gx);
    x1 = Math.max(x1, gx);
    y0 = Math.min(y0, gy);
    y1 = Math.max(y1, gy);
    for (const [nx, ny] of [
      [gx - 1, gy],
      [gx + 1, gy],
      [gx, gy - 1],
      [gx, gy + 1],
    ] as const) {
      if (nx < 0 || ny < 0 || nx >= gw || ny >= gh) continue;
      const j = ny * gw + nx;
      if (on[j] && !visited[j]) {
        visited[j] = 1;
        stack.push(j);
      }
    }
  }
  return {
    x0: Math.max(0, x0 * step),
    y0: Math.max(0, y0 * step),
    x1: Math.min(W, (x1 + 1) * step),
    y1: Math.min(H, (y1 + 1) * step),
    step,
  };
}

/** The person's extent from keypoints, mask and face, plus which image edges cut the person. */
function bodyExtent(d: PersonDetection): { box: Rect; core: Rect; cut: Edges; touch: Edges } | null {
  const { width: W, height: H } = d;
  const kp = (part: KeypointName) => d.keypoints.find((k) => k.part === part);
  const visible = d.keypoints.filter(seen);
  const torso = (['leftShoulder', 'rightShoulder', 'leftHip', 'rightHip', 'nose'] as const).map(kp).filter(seen);
  if (visible.length < 3 || torso.length < 2) return null;

  const clampX = (x: number) => Math.min(W, Math.max(0, x));
  const clampY = (y: number) => Math.min(H, Math.max(0, y));
  const box: Rect = {
    x0: clampX(Math.min(...visible.map((k) => k.x))),
    x1: clampX(Math.max(...visible.map((k) => k.x))),
    y0: clampY(Math.min(...visible.map((k) => k.y))),
    y1: clampY(Math.max(...visible.map((k) => k.y))),
  };
  // The crown is above every keypoint: estimate it from the face box (BlazeFace boxes start at the forehead) or, without
  // a face, from the nose-to-shoulder distance. The mask, when present, usually reaches further (hair) and wins below.
  const nose = kp('nose');
  const shoulders = [kp('leftShoulder'), kp('rightShoulder')].filter(seen);
  if (d.face) box.y0 = Math.min(box.y0, clampY(d.face.box[1] - 0.15 * d.face.box[3]));
  else if (seen(nose) && shoulders.length > 0) {
    const sy = shoulders.reduce((s, k) => s + k.y, 0) / shoulders.length;
    box.y0 = Math.min(box.y0, clampY(nose.y - 0.9 * Math.max(0, sy - nose.y)));
  }
  // The feet extend below the ankle points.
  const ankles = [kp('leftAnkle'), kp('rightAnkle')].filter(seen);
  if (ankles.length > 0) {
    const knees = [kp('leftKnee'), kp('rightKnee')].filter(seen);
    const ay = Math.max(...ankles.map((k) => k.y));
    const shin = knees.length > 0 ? ay - Math.min(...knees.map((k) => k.y)) : 0.05 * H;
    box.y1 = Math.max(box.y1, clampY(ay + 0.25 * Math.max(0, shin)));
  }
  // The core: keypoints and face only, before the mask widens the box (used where the frame already cuts the person).
  const core: Rect = { ...box };
  if (d.face) {
    core.x0 = Math.min(core.x0, clampX(d.face.box[0]));
    core.x1 = Math.max(core.x1, clampX(d.face.box[0] + d.face.box[2]));
  }
  // Where the frame cuts the person. With a mask, from the mask's contact with each image edge: "touches" (any
  // contact) and "cut" (contact along at least 10 % of the person's extent there). The selfie mask is computed at
  // 256 px and bleeds a few px, so a shoe ending 14 px above the bottom edge touches it slightly without being cut.
  const touch = { top: false, bottom: false, left: false, right: false };
  let cut = { top: box.y0 <= 0, bottom: false, left: box.x0 <= 0, right: box.x1 >= W };
  if (!d.mask) {
    const lowest = Math.max(...visible.map((k) => k.y));
    cut.bottom = ankles.length === 0 && lowest > 0.9 * H;
    Object.assign(touch, cut);
  } else {
    const comp = bodyComponent(d.mask, torso);
    if (comp) {
      box.x0 = Math.min(box.x0, comp.x0);
      box.y0 = Math.min(box.y0, comp.y0);
      box.x1 = Math.max(box.x1, comp.x1);
      box.y1 = Math.max(box.y1, comp.y1);
    }
    const m = d.mask.data;
    let [top, bottom, left, right] = [0, 0, 0, 0];
    for (let x = 0; x < W; x++) {
      if (m[x]! >= 128) top++;
      if (m[(H - 1) * W + x]! >= 128) bottom++;
    }
    for (let y = 0; y < H; y++) {
      if (m[y * W]! >= 128) left++;
      if (m[y * W + W - 1]! >= 128) right++;
    }
    const bw = Math.max(1, box.x1 - box.x0);
    const bh = Math.max(1, box.y1 - box.y0);
    Object.assign(touch, { top: top > 0, bottom: bottom > 0, left: left > 0, right: right > 0 });
    cut = { top: top >= 0.1 * bw, bottom: bottom >= 0.1 * bw, left: left >= 0.1 * bh, right: right >= 0.1 * bh };
  }
  return { box, core, cut, touch };
}

/**
 * Places a window of length `len` on an axis of the image of length `size` so that it contains [a0, a1] (which lies
 * inside the image). A window no longer than the image stays inside it (no padding); a
 * longer one covers the whole image. A person cut by exactly one edge of the frame keeps that edge where possible, which
 * also puts any padding where the person is not cut: padding below a body cut at the bottom edge would show the body
 * ending in made-up pixels, while padding above a head or beside a shoulder reads as more background.
 */
function place(len: number, size: number, a0: number, a1: number, cutStart: boolean, cutEnd: boolean): number {
  let start: number;
  if (cutStart && !cutEnd) start = 0;
  else if (cutEnd && !cutStart) start = size - len;
  else start = (a0 + a1) / 2 - len / 2;
  // Keep [a0, a1] inside; when it is a few px longer (see the rounding step of personAwareCrop), the cut edge wins.
  if (len >= a1 - a0) start = Math.max(a1 - len, Math.min(a0, start));
  start = len <= size ? Math.min(size - len, Math.max(0, start)) : Math.min(0, Math.max(size - len, start));
  return Math.round(start);
}

/** The largest 4:5 window inside the image, centred on (cx, cy) as far as the image allows. */
function insideWindow(W: number, H: number, cx: number, cy: number, maxM = Number.POSITIVE_INFINITY): CropWindow {
  const m = Math.max(1, Math.min(Math.floor(W / 4), Math.floor(H / 5), Math.floor(maxM)));
  const w = 4 * m;
  const h = 5 * m;
  return {
    left: Math.round(Math.min(W - w, Math.max(0, cx - w / 2))),
    top: Math.round(Math.min(H - h, Math.max(0, cy - h / 2))),
    width: w,
    height: h,
    basis: 'center',
  };
}

/**
 * The 4:5 (width:height) crop window for a detected person, in the analysed image's pixels. `width * 5 === height * 4`
 * exactly. Parts of the window outside the image are to be padded (see `renderCrop`).
 */
export function personAwareCrop(detection: PersonDetection, options: CropOptions = {}): CropWindow {
  const { width: W, height: H } = detection;
  const headroom = options.headroom ?? 0.06;
  const footroom = options.footroom ?? 0.04;
  const sideroom = options.sideroom ?? 0.06;
  const maxPadShare = options.maxPadShare ?? 0.25;

  const extent = detection.keypoints.length > 0 && detection.score > 0 ? bodyExtent(detection) : null;
  if (extent) {
    const { box, core, cut, touch } = extent;
    const ph = box.y1 - box.y0;
    // Sideways, where the person already runs into the frame (a half-body selfie: arms, a helmet held at the side),
    // only the keypoints and face need to stay in: cutting a little more of what is already cut loses nothing whole,
    // while keeping it would force a wide window and lots of padding above and below. Vertically we never relax: the
    // window always reaches the lowest visible body part.
    const left = touch.left ? Math.max(box.x0, core.x0) : box.x0;
    const right = touch.right ? Math.min(box.x1, core.x1) : box.x1;
    // Margins are clamped to the image: they add breathing room where the photo has it, never padding by themselves.
    const want: Rect = {
      x0: Math.max(0, left - sideroom * ph),
      x1: Math.min(W, right + sideroom * ph),
      y0: Math.max(0, box.y0 - headroom * ph),
      y1: Math.min(H, box.y1 + footroom * ph),
    };
    let m = Math.ceil(Math.max((want.x1 - want.x0) / 4, (want.y1 - want.y0) / 5));
    // Cap the padding: the window may exceed the image by maxPadShare of itself on each axis.
    const capM = Math.floor(Math.min(W / (4 * (1 - maxPadShare)), H / (5 * (1 - maxPadShare))));
    // Rounding up to a multiple of 4x5 can add a 1-4 px padding strip; it is kept rather than shrinking the window
    // into the person (the mask reaches the frame edge), and an edge-copied strip that thin does not show.
    m = Math.max(1, Math.min(m, capM));
    const width = 4 * m;
    const height = 5 * m;
    return {
      left: place(width, W, want.x0, want.x1, cut.left, cut.right),
      top: place(height, H, want.y0, want.y1, cut.top, cut.bottom),
      width,
      height,
      basis: 'body',
    };
  }

  if (detection.face) {
    // Head and shoulders: a portrait about 5 face-heights tall with the face in its upper third. Fallbacks stay inside
    // the image (no padding): without a body we do not know which edges cut the person.
    const [fx, fy, fw, fh] = detection.face.box;
    const win = insideWindow(W, H, fx + fw / 2, fy - 0.6 * fh + 2.5 * fh, Math.max(fw * 3, fh * 5) / 5);
    return { ...win, basis: 'face' };
  }

  return insideWindow(W, H, W / 2, H / 2);
}

/** Scales a window computed on a downscaled analysis image to the source image, keeping it exactly 4:5. */
export function scaleCropWindow(window: CropWindow, factor: number): CropWindow {
  const m = Math.max(1, Math.round((window.width / 4) * factor));
  const cx = (window.left + window.width / 2) * factor;
  const cy = (window.top + window.height / 2) * factor;
  return {
    left: Math.round(cx - 2 * m),
    top: Math.round(cy - 2.5 * m),
    width: 4 * m,
    height: 5 * m,
    basis: window.basis,
  };
}

export interface RenderOptions {
  /** Upper bound of the output's long side (the height); default 2048. Never upscales. */
  maxSide?: number;
  /** Output encoding; default JPEG (quality 90). `raw` gives RGB bytes. */
  format?: 'jpeg' | 'png' | 'webp' | 'raw';
  quality?: number;
}

export interface RenderedCrop {
  data: Buffer;
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp' | 'raw';
}

/**
 * How busy an edge of the image is: the mean absolute step between neighbouring pixels along a 1-px line (largest
 * channel step per pixel). Repeating a line with a smooth gradient (a lit backdrop) looks natural; repeating a line
 * with detail draws visible streaks. Along the line, not across it, is what matters, so a global deviation would not do.
 */
function lineRoughness(rgb: Buffer, W: number, x0: number, y0: number, dx: number, dy: number, n: number): number {
  let total = 0;
  for (let i = 1; i < n; i++) {
    const a = ((y0 + (i - 1) * dy) * W + x0 + (i - 1) * dx) * 3;
    const b = ((y0 + i * dy) * W + x0 + i * dx) * 3;
    total += Math.max(
      Math.abs(rgb[a]! - rgb[b]!),
      Math.abs(rgb[a + 1]! - rgb[b + 1]!),
      Math.abs(rgb[a + 2]! - rgb[b + 2]!),
    );
  }
  return n > 1 ? total / (n - 1) : 0;
}

/** Above this roughness (mean step in grey levels) a padded band is blurred; JPEG noise on a backdrop is ~1-2. */
const BUSY_EDGE = 4;

/**
 * Renders a crop window: the part inside the image is extracted, scaled down to fit `maxSide` (never up), and the
 * part outside is padded by repeating the edge pixels. On a studio backdrop or a plain wall that is invisible; where
 * the edge is busy, repetition draws streaks, so those bands are softened with a strong blur (reads as out of focus).
 * The output is exactly 4:5: width * 5 === height * 4.
 */
/** An encoded image's size as displayed, after its EXIF orientation (orientations 5–8 swap the sides); 0 if unknown. */
export function orientedSize(meta: Metadata): { width: number; height: number } {
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: (swap ? meta.height : meta.width) ?? 0, height: (swap ? meta.width : meta.height) ?? 0 };
}

export async function renderCrop(
  input: Uint8Array | RawImage,
  window: CropWindow,
  options: RenderOptions = {},
): Promise<RenderedCrop> {
  const maxSide = options.maxSide ?? 2048;
  const format = options.format ?? 'jpeg';
  if (window.width * 5 !== window.height * 4 || window.width <= 0) {
    throw new EngineError('INVALID_IMAGE', `Crop window ${window.width}x${window.height} is not 4:5`);
  }
  let source: Sharp;
  let W: number;
  let H: number;
  try {
    if (input instanceof Uint8Array) {
      // Same orientation and colour handling as decodeImage, so windows computed on its output line up.
      const oriented = sharp(input, { failOn: 'error' }).rotate();
      ({ width: W, height: H } = orientedSize(await oriented.metadata()));
      source = oriented.toColourspace('srgb').flatten({ background: '#ffffff' });
    } else {
      W = input.width;
      H = input.height;
      source = sharp(input.data, { raw: { width: W, height: H, channels: input.channels } }).flatten({
        background: '#ffffff',
      });
    }
  } catch (err) {
    throw new EngineError('INVALID_IMAGE', `The image could not be decoded: ${(err as Error).message}`);
  }
  if (!(W > 0 && H > 0)) throw new EngineError('INVALID_IMAGE', 'The image has no pixels');

  const m = window.width / 4;
  const k = Math.max(1, Math.min(m, Math.floor(maxSide / 5)));
  const outW = 4 * k;
  const outH = 5 * k;
  const s = outH / window.height;
  // The part of the window that lies inside the image.
  const ix0 = Math.max(0, window.left);
  const iy0 = Math.max(0, window.top);
  const ix1 = Math.min(W, window.left + window.width);
  const iy1 = Math.min(H, window.top + window.height);
  let rgb: Buffer;
  if (ix1 - ix0 < 1 || iy1 - iy0 < 1) {
    // The window misses the image entirely (a caller bug or a degenerate detection): refuse rather than invent pixels.
    throw new EngineError('INVALID_IMAGE', 'Crop window lies outside the image');
  }
  // Output-pixel geometry of the inside part; rounding is absorbed by the right/bottom padding so the size is exact.
  const padLeft = Math.min(outW - 1, Math.round((ix0 - window.left) * s));
  const padTop = Math.min(outH - 1, Math.round((iy0 - window.top) * s));
  const innerW = Math.max(1, Math.min(outW - padLeft, Math.round((ix1 - ix0) * s)));
  const innerH = Math.max(1, Math.min(outH - padTop, Math.round((iy1 - iy0) * s)));
  const padRight = outW - padLeft - innerW;
  const padBottom = outH - padTop - innerH;
  try {
    // sharp runs extract → resize → extend in that order within one pipeline, which is exactly what we need.
    rgb = await source
      .extract({ left: ix0, top: iy0, width: ix1 - ix0, height: iy1 - iy0 })
      .resize(innerW, innerH, { fit: 'fill', kernel: 'lanczos3' })
      .extend({ top: padTop, bottom: padBottom, left: padLeft, right: padRight, extendWith: 'copy' })
      .removeAlpha()
      .raw()
      .toBuffer();
  } catch (err) {
    throw new EngineError('INVALID_IMAGE', `The image could not be cropped: ${(err as Error).message}`);
  }

  // Soften padded bands whose source edge is busy (edge repetition would show as streaks).
  const bands: Array<{ left: number; top: number; width: number; height: number }> = [];
  const busy = (x0: number, y0: number, dx: number, dy: number, n: number) =>
    lineRoughness(rgb, outW, x0, y0, dx, dy, n) > BUSY_EDGE;
  if (padLeft > 0 && busy(padLeft, padTop, 0, 1, innerH)) bands.push({ left: 0, top: 0, width: padLeft, height: outH });
  if (padRight > 0 && busy(padLeft + innerW - 1, padTop, 0, 1, innerH))
    bands.push({ left: padLeft + innerW, top: 0, width: padRight, height: outH });
  if (padTop > 0 && busy(padLeft, padTop, 1, 0, innerW)) bands.push({ left: 0, top: 0, width: outW, height: padTop });
  if (padBottom > 0 && busy(padLeft, padTop + innerH - 1, 1, 0, innerW))
    bands.push({ left: 0, top: padTop + innerH, width: outW, height: padBottom });
  let image = sharp(rgb, { raw: { width: outW, height: outH, channels: 3 } });
  if (bands.length > 0) {
    const sigma = Math.max(3, Math.min(40, 0.02 * outH));
    const blurred = await sharp(rgb, { raw: { width: outW, height: outH, channels: 3 } })
      .blur(sigma)
      .raw()
      .toBuffer();
    const patches = await Promise.all(
      bands.map(async (b) => ({
        input: await sharp(blurred, { raw: { width: outW, height: outH, channels: 3 } })
          .extract(b)
          .raw()
          .toBuffer(),
        raw: { width: b.width, height: b.height, channels: 3 as const },
        left: b.left,
        top: b.top,
      })),
    );
    // composite() outputs RGBA: drop the alpha so the buffer stays 3 bytes per pixel.
    rgb = await image.composite(patches).removeAlpha().raw().toBuffer();
    image = sharp(rgb, { raw: { width: outW, height: outH, channels: 3 } });
  }
  let data: Buffer;
  switch (format) {
    case 'raw':
      data = rgb;
      break;
    case 'png':
      data = await image.png().toBuffer();
      break;
    case 'webp':
      data = await image.webp({ quality: options.quality ?? 90 }).toBuffer();
      break;
    default:
      data = await image.jpeg({ quality: options.quality ?? 90 }).toBuffer();
  }
  return { data, width: outW, height: outH, format };
}
