/**
 * What stays in front of the new garment: head (face + hair), neck, the arms and hands that come in front, and what the
 * person holds beside the body.
 */
import type { PersonParsing } from '../body/parsing.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentLayer } from '../fit/warp.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { drawPolygon } from '../raster/draw.js';
import { type BinaryMask, type Box, emptyMask } from '../raster/mask.js';

/** Whether (x, y) lies past the wrist of the nearer arm: its projection on elbow → wrist is beyond the wrist. */
function pastWrist(parsing: PersonParsing, x: number, y: number): boolean {
  const fr = parsing.frame;
  let best = Number.POSITIVE_INFINITY;
  let past = false;
  for (const [e, wr] of [
    [fr.lElbow, fr.lWrist],
    [fr.rElbow, fr.rWrist],
  ] as const) {
    if (!e || !wr) continue;
    const d = Math.hypot(x - wr.x, y - wr.y);
    if (d >= best) continue;
    best = d;
    past = (x - wr.x) * (wr.x - e.x) + (y - wr.y) * (wr.y - e.y) > 0;
  }
  return past;
}

/** The occluders inside the window `roi`, as a mask: every pixel that is drawn in front of the garment. */
export function occluders(
  parsing: PersonParsing,
  garment: GarmentAnalysis,
  layer: GarmentLayer,
  targets: BodyTargets,
  old: BinaryMask,
  [rx0, ry0, rx1, ry1]: Box,
): BinaryMask {
  const { width: w, height: h } = parsing;
  const torsoZone = emptyMask(w, h);
  drawPolygon(torsoZone, [targets.shoulderLeft, targets.shoulderRight, targets.hemRight, targets.hemLeft]);
  const front = emptyMask(w, h);
  const sleeveless = garment.cls.sleeve === 'none';
  const longSleeves = garment.cls.sleeve === 'long';
  const armpitY = Math.max(targets.armpitLeft.y, targets.armpitRight.y);
  for (let y = ry0; y <= ry1; y++) {
    for (let x = rx0; x <= rx1; x++) {
      const p = y * w + x;
      const fore = parsing.forearmLeft.data[p] || parsing.forearmRight.data[p];
      const arm = parsing.armLeft.data[p] || parsing.armRight.data[p];
      // A forearm or hand is in front only where it lies inside the torso and is bare skin (a hand on a hip, arms
      // crossed); a hanging arm beside the body stays behind the garment's edge so it does not cut strips out of it.
      // A long sleeve covers the forearm, and the sleeve is warped along the arm and drawn over the torso panel: only
      // the hand (past the wrist) can then be in front; the photo's bare forearm in front would cut holes in the
      // sleeve wherever a hanging elbow touches the torso zone.
      if (fore && torsoZone.data[p] && parsing.skin.data[p] && (!longSleeves || pastWrist(parsing, x, y))) {
        front.data[p] = 1;
      }
      // A sleeveless garment has nothing to put over the arms: bare arms below the armpits are in front of it (a
      // hanging arm beside a dress's side, a hand by the skirt). Not above (the shoulder joint's capsule covers the
      // garment's shoulder) and never on the old garment (pale skin and a white top pass the same colour test).
      // The same holds for the body panel of a garment with short sleeves, off the torso: a wide tee's sides hang
      // behind the arms, and drawn over them they leave dark strips down the arms below the sleeves. (A long sleeve
      // is meant to cover the arm; bare skin shown through it would read as a hole in the sleeve.)
      const panelBesideTorso = !longSleeves && layer.part[p] === 1 && !parsing.torso.data[p];
      if ((sleeveless || panelBesideTorso) && y > armpitY && (arm || fore) && parsing.skin.data[p] && !old.data[p])
        front.data[p] = 1;
      if (parsing.head.data[p] || parsing.neck.data[p] || parsing.held.data[p]) front.data[p] = 1;
    }
  }
  return front;
}
