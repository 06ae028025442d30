import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readPerson, STUDIO_PERSONS } from '../vision/test-fixtures.js';
import { DRESS_MAX_DE, dressMeasures, dressWornFindings } from './dress-worn.js';
import { bodyFrame } from './frame.js';
import { parsePerson } from './parsing.js';

async function parsed(name: string) {
  const img = await decodeImage(readPerson(name));
  const det = await detectPerson(img);
  return { img, parsing: parsePerson(img, det, bodyFrame(det)!, { lower: true }) };
}

describe('a dress worn, for a bottom', () => {
  it('a slip dress is one fabric from the chest past the hips: refused with UNSUPPORTED_OUTFIT', async () => {
    const { img, parsing } = await parsed('052472_0.jpg');
    const [finding] = dressWornFindings(img, parsing);
    assert.equal(finding?.code, 'UNSUPPORTED_OUTFIT');
    assert.equal(finding?.severity, 'refuse');
  });

  it('tops worn with trousers, leggings, jeans or a skirt are not dresses', async () => {
    for (const name of [...STUDIO_PERSONS, '01861_00.jpg']) {
      const { img, parsing } = await parsed(name);
      const m = dressMeasures(img, parsing);
      assert.deepEqual(dressWornFindings(img, parsing), [], `${name}: ΔE ${m.de?.toFixed(1)}`);
      assert.ok(m.de === null || m.de > DRESS_MAX_DE * 2, `${name}: a clear margin (ΔE ${m.de?.toFixed(1)})`);
    }
  });
});
