import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeGarment } from '../garment/analyze.js';
import { GARMENT_TITLES } from '../quality/fixtures.js';
import { distanceToSet } from '../raster/distance.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readGarment, readPerson } from '../vision/test-fixtures.js';
import type { RawImage } from '../vision/types.js';
import { type CompositeResult, composeTryOn } from './compose.js';

async function tryOn(personName: string, garmentName: string): Promise<{ person: RawImage; r: CompositeResult }> {
  const person = await decodeImage(readPerson(personName));
  const det = await detectPerson(person);
  const garment = await analyzeGarment(
    { data: readGarment(garmentName), contentHash: garmentName, role: null },
    GARMENT_TITLES[garmentName]!,
    { detect: detectPerson },
  );
  return { person, r: composeTryOn(person, det, garment) };
}

const samePixel = (a: RawImage, b: RawImage, p: number) =>
  a.data[p * a.channels] === b.data[p * b.channels] &&
  a.data[p * a.channels + 1] === b.data[p * b.channels + 1] &&
  a.data[p * a.channels + 2] === b.data[p * b.channels + 2];

describe('the old garment the new one replaces', () => {
  it('what lies below a new top stays: a slip dress’s skirt is not repainted', async () => {
    // 052472_0: a black slip dress to below the knees. The parsing's old top runs on down the skirt (one colour);
    // the tee ends at the hips, and the skirt below it was filled with flat skin-coloured blocks.
    const { person, r } = await tryOn('052472_0.jpg', 'upper-3.jpg');
    const { width: w } = person;
    const frame = r.parsing.frame;
    let hem = 0;
    for (let p = 0; p < r.garmentAlpha.length; p++) if (r.garmentAlpha[p]! > 0.5) hem = Math.max(hem, (p / w) | 0);
    const from = Math.ceil(hem + frame.shoulderWidth * 0.05);
    const to = Math.floor(Math.min(frame.lKnee?.y ?? person.height, frame.rKnee?.y ?? person.height));
    assert.ok(to - from > frame.shoulderWidth * 0.5, `a skirt to test below the hem (rows ${from}–${to})`);
    const arms = [r.parsing.armLeft, r.parsing.armRight, r.parsing.forearmLeft, r.parsing.forearmRight];
    let skirt = 0;
    let changed = 0;
    for (let p = from * w; p < to * w; p++) {
      if (!r.parsing.person.data[p] || arms.some((m) => m.data[p])) continue;
      skirt++;
      if (r.filled.data[p] || !samePixel(r.image, person, p)) changed++;
    }
    assert.ok(skirt > 1000, `the skirt is in the photo (${skirt} px)`);
    assert.ok(changed / skirt < 0.01, `${changed} of ${skirt} skirt pixels below the hem were repainted`);
  });

  it('a large opening keeps the old garment: a cardigan’s V shows the tank top under it, not an invented chest', async () => {
    // man-1 in a white tank top, the cardigan open in a deep V. The V was filled with a flat skin-coloured panel (the
    // result checks refused it as blocky); the tank is now left as photographed, as a cardigan is worn.
    const { person, r } = await tryOn('man-1.png', 'upper-1.jpg');
    const { width: w } = person;
    let inV = 0;
    let kept = 0;
    for (let p = 0; p < w * person.height; p++) {
      // The V: body between the cardigan's fronts, above the lowest garment row of the torso's middle.
      if (!r.parsing.torso.data[p] || r.garmentAlpha[p]! > 0.5) continue;
      const x = p % w;
      const cx = (r.parsing.frame.lShoulder.x + r.parsing.frame.rShoulder.x) / 2;
      if (Math.abs(x - cx) > r.parsing.frame.shoulderWidth * 0.15) continue;
      inV++;
      if (samePixel(r.image, person, p) && !r.filled.data[p]) kept++;
    }
    assert.ok(inV > 500, `the V is open over the torso (${inV} px)`);
    assert.ok(kept >= inV * 0.95, `${kept} of ${inV} pixels in the V show the photo`);
    assert.ok(r.findings.length === 0, JSON.stringify(r.findings));
  });

  it('a neck opening is skin: the old top beside the neck is not kept as a patch of its colour', async () => {
    // woman-1 in a purple top, the knotted shirt open round the neck. The opening is large (over 6 % of the torso),
    // and large openings keep the old garment: her purple top showed beside her neck. A neck opening (it borders the
    // neck and ends high on the chest) is filled with skin, as a cardigan's V is not (above).
    const { person, r } = await tryOn('woman-1.jpg', 'on-model-2.jpg');
    const { width: w } = person;
    const { frame: f, neck, head, upperClothes } = r.parsing;
    const shoulderY = (f.lShoulder.y + f.rShoulder.y) / 2;
    const chestY = shoulderY + 0.15 * ((f.lHip.y + f.rHip.y) / 2 - shoulderY);
    const toNeckSq = distanceToSet(neck);
    const near = (f.shoulderWidth * 0.15) ** 2;
    let open = 0;
    let filled = 0;
    for (let p = 0; p < w * Math.floor(chestY); p++) {
      if (!upperClothes.data[p] || neck.data[p] || head.data[p] || r.garmentAlpha[p]! > 0.5) continue;
      if (toNeckSq[p]! > near) continue;
      open++;
      if (r.filled.data[p]) filled++;
    }
    assert.ok(open > 300, `the old top shows beside the neck (${open} px)`);
    assert.ok(filled >= open * 0.9, `${filled} of ${open} pixels of the old top beside the neck filled with skin`);
  });

  it('an old long sleeve stays under a short-sleeved top: no arm is invented from shoulder to wrist', async () => {
    // 01861_00: a red long-sleeved top. Under it the photo shows no bare arm to continue (arm-fill.ts needs skin below
    // a sleeve's hem), and the whole arm was filled as a flat skin-coloured strip.
    const { person, r } = await tryOn('01861_00.jpg', 'upper-4.jpg');
    const frame = r.parsing.frame;
    let points = 0;
    let kept = 0;
    for (const [e, wr] of [
      [frame.lElbow, frame.lWrist],
      [frame.rElbow, frame.rWrist],
    ] as const) {
      assert.ok(e && wr, 'elbows and wrists are seen');
      // The forearm's middle, clear of the new sleeve's hem and of the hand.
      for (let t = 0.25; t <= 0.75; t += 0.05) {
        const x = Math.round(e.x + (wr.x - e.x) * t);
        const y = Math.round(e.y + (wr.y - e.y) * t);
        const p = y * person.width + x;
        points++;
        if (samePixel(r.image, person, p) && !r.filled.data[p]) kept++;
      }
    }
    assert.ok(kept >= points * 0.9, `${kept} of ${points} forearm points show the old sleeve as photographed`);
  });
  it('a bare upper arm the old top’s parsing ran over stays as photographed under a sleeveless garment', async () => {
    // man-1 in a white tank top: the old top's colour growth runs on over his bare upper arms, and as an old sleeve
    // they were repainted with the arm continued from below, a flat beige block at each shoulder.
    const { person, r } = await tryOn('man-1.png', 'upper-2.jpg');
    const { armLeft, armRight, torso, neck, skin, upperClothes, frame } = r.parsing;
    const elbowY = Math.min(frame.lElbow?.y ?? 0, frame.rElbow?.y ?? 0);
    let bare = 0;
    let kept = 0;
    for (let p = 0; p < Math.floor(elbowY) * person.width; p++) {
      if (!(armLeft.data[p] || armRight.data[p]) || torso.data[p] || neck.data[p] || r.garmentAlpha[p]! > 0.5) continue;
      if (!skin.data[p] || !upperClothes.data[p]) continue;
      bare++;
      if (samePixel(r.image, person, p) && !r.filled.data[p]) kept++;
    }
    assert.ok(bare > 1000, `the old top's parsing covers bare upper arm (${bare} px)`);
    assert.ok(kept >= bare * 0.8, `${kept} of ${bare} bare upper-arm pixels show the photo`);
  });
  it('a skirt beside a hanging arm is replaced by a dress: it is never a sleeve or an arm', async () => {
    // woman-3 in a cream skirt, her arms hanging beside it. The arm capsules (as wide as an arm can be) take in the
    // skirt beside each arm, and what lay in them was kept as arm: 7,370 of these pixels showed the old skirt
    // between the dress and the arm (on 01008_00, a strip of leopard print).
    const { person, r } = await tryOn('woman-3.png', 'dress-3.jpg');
    const { armLeft, armRight, forearmLeft, forearmRight, lowerClothes, skin, torso } = r.parsing;
    let skirt = 0;
    let kept = 0;
    for (let p = 0; p < person.width * Math.floor(r.targets.hemCenter.y); p++) {
      const capsule = armLeft.data[p] || armRight.data[p] || forearmLeft.data[p] || forearmRight.data[p];
      if (!capsule || !lowerClothes.data[p] || skin.data[p] || torso.data[p]) continue;
      skirt++;
      if (samePixel(r.image, person, p)) kept++;
    }
    assert.ok(skirt > 5000, `the old skirt lies in the arms' capsules above the dress's hem (${skirt} px)`);
    assert.ok(kept < skirt * 0.01, `${kept} of ${skirt} of them show the old skirt`);
  });
});
