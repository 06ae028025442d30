import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { and, or, shareOf } from '../raster/mask.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readPerson } from '../vision/test-fixtures.js';
import type { RawImage } from '../vision/types.js';
import { handCapsules } from './arms.js';
import { bodyFrame } from './frame.js';
import { parsePerson } from './parsing.js';

/** The photo with its fine texture blurred away: 052964_0's beige check becomes a smooth, skin-coloured dress. */
async function smoothed(img: RawImage): Promise<RawImage> {
  const { width, height, channels } = img;
  const raw = { width, height, channels: channels as 3 | 4 };
  const data = await sharp(Buffer.from(img.data), { raw }).blur(3).raw().toBuffer();
  return { ...img, data: new Uint8Array(data) };
}

describe('the old garments', () => {
  it('a skin-coloured print is not skin: a beige check dress is the old top, her arms are skin', async () => {
    // 052964_0: a dress of fine beige check, which passes the skin-colour test. Taken for skin, it was kept in front
    // of the new garment as "arm" beside her hanging arms.
    const img = await decodeImage(readPerson('052964_0.jpg'));
    const det = await detectPerson(img);
    const parsing = parsePerson(img, det, bodyFrame(det)!);
    assert.ok(shareOf(parsing.skin, parsing.torso) < 0.1, `torso skin ${shareOf(parsing.skin, parsing.torso)}`);
    assert.ok(shareOf(parsing.upperClothes, parsing.torso) > 0.8, 'the bodice is the old top');
    const forearms = or(parsing.forearmLeft, parsing.forearmRight);
    // The capsules are as wide as an arm can be and take in some of the dress beside the arm.
    assert.ok(shareOf(parsing.skin, forearms) > 0.4, `forearm skin ${shareOf(parsing.skin, forearms)}`);
    // The hands keep their skin although fingers are texture at this scale (0.31 of them without the exception).
    const hands = and(handCapsules(parsing.frame, img.width, img.height), parsing.person);
    assert.ok(shareOf(parsing.skin, hands) > 0.6, `hand skin ${shareOf(parsing.skin, hands)}`);
  });

  it('a dress the top’s growth missed (a smooth beige dress read as skin) is the old top above the hips', async () => {
    const img = await smoothed(await decodeImage(readPerson('052964_0.jpg')));
    const det = await detectPerson(img);
    const frame = bodyFrame(det)!;
    const hipY = (frame.lHip.y + frame.rHip.y) / 2;
    for (const lower of [true, false]) {
      const parsing = parsePerson(img, det, frame, { lower });
      assert.ok(shareOf(parsing.skin, parsing.torso) > 0.5, `lower: ${lower}: the smooth dress passes as skin`);
      assert.ok(shareOf(parsing.upperClothes, parsing.torso) > 0.5, `lower: ${lower}: the bodice is the old top`);
      for (let p = Math.ceil(hipY) * img.width; p < parsing.upperClothes.data.length; p++)
        assert.equal(parsing.upperClothes.data[p], 0, 'nothing below the hips is the old top');
    }
  });
});
