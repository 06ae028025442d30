import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shareOf } from '../raster/mask.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readPerson } from '../vision/test-fixtures.js';
import { bodyFrame } from './frame.js';
import { parsePerson } from './parsing.js';

describe('the old garments', () => {
  it('a dress the top’s growth missed (a beige check read as skin) is the old top above the hips', async () => {
    const img = await decodeImage(readPerson('052964_0.jpg'));
    const det = await detectPerson(img);
    const frame = bodyFrame(det)!;
    const hipY = (frame.lHip.y + frame.rHip.y) / 2;
    for (const lower of [true, false]) {
      const parsing = parsePerson(img, det, frame, { lower });
      assert.ok(shareOf(parsing.upperClothes, parsing.torso) > 0.5, `lower: ${lower}: the bodice is the old top`);
      for (let p = Math.ceil(hipY) * img.width; p < parsing.upperClothes.data.length; p++)
        assert.equal(parsing.upperClothes.data[p], 0, 'nothing below the hips is the old top');
    }
  });
});
