/**
 * The identity pass measured on the repository's test photos: an "external engine" that shifts every colour and
 * blurs the whole frame (what a diffusion model's drift looks like, exaggerated) answers a JPEG; after the pass,
 * every pixel outside the garment region is the person photo's, exactly (the pass writes PNG, so no re-encoding
 * tolerance is needed), the face is untouched, and inside the region the engine's picture is kept.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { TryOnEngine, TryOnInput, TryOnOutput } from '../engine.js';
import { GarmentCache } from '../garment/analyze.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readGarment, readPerson } from '../vision/test-fixtures.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { IdentityPassEngine, type IdentityRegion, identityRegion } from './identity-pass.js';

/** Shifts the colours (+40 red, −30 blue) and blurs the whole frame: nothing of the person survives it unchanged. */
class DriftingEngine implements TryOnEngine {
  readonly name = 'external';
  calls = 0;
  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    this.calls++;
    const image = await sharp(input.person)
      .removeAlpha()
      .blur(4)
      .linear([1, 1, 1], [40, 0, -30])
      .jpeg({ quality: 90 })
      .toBuffer();
    const meta = await sharp(image).metadata();
    return { image, contentType: 'image/jpeg', width: meta.width!, height: meta.height! };
  }
  async close(): Promise<void> {}
}

const detections = new Map<RawImage, PersonDetection>();
const ctx = {
  detect: async (img: RawImage) => {
    const det = await detectPerson(img);
    detections.set(img, det);
    return det;
  },
  cache: new GarmentCache(8, null),
};

const PAIRS: Array<[person: string, garment: string, title: string]> = [
  ['woman-2.png', 'upper-4.jpg', 'Printed cotton T-shirt'],
  ['man-1.png', 'upper-1.jpg', 'Long-sleeved shirt'],
  ['woman-1.jpg', 'dress-1.jpg', 'Summer dress'],
];

const inputOf = (person: string, garment: string, title: string, identityPass?: boolean): TryOnInput => ({
  person: readPerson(person),
  product: { title, description: null, images: [{ data: readGarment(garment), contentHash: garment, role: null }] },
  ...(identityPass === undefined ? {} : { identityPass }),
});

describe('identity pass', () => {
  let engine: IdentityPassEngine;
  let drifting: DriftingEngine;
  const regions: IdentityRegion[] = [];
  before(() => {
    drifting = new DriftingEngine();
    engine = new IdentityPassEngine(drifting, async (input) => {
      const r = await identityRegion(input, ctx);
      regions.push(r);
      return r;
    });
  });

  for (const [personName, garmentName, title] of PAIRS) {
    it(`${personName} × ${garmentName}: outside the garment region, the person's pixels exactly`, async () => {
      const input = inputOf(personName, garmentName, title);
      const out = await engine.tryOn(input);
      assert.equal(out.contentType, 'image/png');
      const region = regions.at(-1)!;
      const person = await decodeImage(input.person);
      const result = await decodeImage(out.image);
      const drifted = await decodeImage((await drifting.tryOn(input)).image);
      assert.deepEqual([result.width, result.height], [person.width, person.height]);

      let outside = 0;
      let outsideDiffers = 0;
      let driftOutside = 0;
      let inside = 0;
      let insideKept = 0;
      let seam = 0;
      for (let p = 0; p < region.alpha.length; p++) {
        const a = region.alpha[p]!;
        const i = p * 3;
        if (a === 0) {
          outside++;
          for (let c = 0; c < 3; c++) driftOutside += Math.abs(drifted.data[i + c]! - person.data[i + c]!);
          if (
            result.data[i] !== person.data[i] ||
            result.data[i + 1] !== person.data[i + 1] ||
            result.data[i + 2] !== person.data[i + 2]
          ) {
            outsideDiffers++;
          }
        } else if (a === 255) {
          inside++;
          if (
            result.data[i] === drifted.data[i] &&
            result.data[i + 1] === drifted.data[i + 1] &&
            result.data[i + 2] === drifted.data[i + 2]
          ) {
            insideKept++;
          }
        } else seam++;
      }
      const n = region.alpha.length;
      // The fake drifted everywhere, so a pass that did nothing would fail the first assertion.
      assert.ok(driftOutside / (outside * 3) > 10, 'the fake changed the pixels outside the region');
      assert.equal(outsideDiffers, 0, `${outsideDiffers} of ${outside} pixels outside the region differ`);
      assert.ok(outside / n > 0.3, `most of the frame is outside the region (${((outside / n) * 100).toFixed(1)} %)`);
      assert.ok(inside / n > 0.05, `the region holds the garment (${((inside / n) * 100).toFixed(1)} %)`);
      assert.equal(insideKept, inside, "inside the region (past the seam) the engine's pixels are kept");
      assert.ok(seam > 0, 'the seam is feathered');

      // The face, wherever the models found it, is entirely outside the region.
      const det = [...detections.entries()].find(([img]) =>
        Buffer.from(img.data).equals(Buffer.from(person.data)),
      )?.[1];
      const box = det?.face?.box;
      assert.ok(box, 'a face was found on the fixture');
      const [fx, fy, fw, fh] = box.map(Math.round) as [number, number, number, number];
      for (let y = Math.max(0, fy); y < Math.min(person.height, fy + fh); y++) {
        for (let x = Math.max(0, fx); x < Math.min(person.width, fx + fw); x++) {
          assert.equal(region.alpha[y * person.width + x], 0, `face pixel ${x},${y} is outside the region`);
        }
      }
    });
  }

  it('a top leaves the legs alone; a dress does not', () => {
    const [tee, , dress] = regions;
    assert.equal(tee?.category, 'upper');
    assert.equal(dress?.category, 'dress');
    const lowestRow = (r: IdentityRegion) => {
      for (let y = r.height - 1; y >= 0; y--) {
        for (let x = 0; x < r.width; x++) if (r.alpha[y * r.width + x]) return y;
      }
      return -1;
    };
    assert.ok(lowestRow(tee!) < tee!.height * 0.75, 'a top stops above the knees');
    assert.ok(lowestRow(dress!) > dress!.height * 0.75, 'a dress reaches down the legs');
  });

  it("is skipped when the try-on turns it off: the engine's answer as it came", async () => {
    const input = inputOf('woman-2.png', 'upper-4.jpg', 'Printed cotton T-shirt', false);
    const before = regions.length;
    const out = await engine.tryOn(input);
    assert.equal(out.contentType, 'image/jpeg');
    assert.equal(regions.length, before, 'no region computed');
    assert.ok(Buffer.from(out.image).equals(Buffer.from((await drifting.tryOn(input)).image)));
  });

  it("follows the deployment's default when the try-on does not say, and the try-on's choice over it", async () => {
    let computed = 0;
    const offByDefault = new IdentityPassEngine(
      drifting,
      async (input) => {
        computed++;
        return identityRegion(input, ctx);
      },
      false,
    );
    const unsaid = await offByDefault.tryOn(inputOf('woman-2.png', 'upper-4.jpg', 'Printed cotton T-shirt'));
    assert.deepEqual([unsaid.contentType, computed], ['image/jpeg', 0], 'off by default: the answer as it came');
    const asked = await offByDefault.tryOn(inputOf('woman-2.png', 'upper-4.jpg', 'Printed cotton T-shirt', true));
    assert.deepEqual([asked.contentType, computed], ['image/png', 1], 'the account turned it on');
  });

  it('fails before the engine is called when the photo shows no person', async () => {
    const calls = drifting.calls;
    const blank = await sharp({ create: { width: 400, height: 500, channels: 3, background: '#8899aa' } })
      .jpeg()
      .toBuffer();
    const input = { ...inputOf('woman-2.png', 'upper-4.jpg', 'Tee'), person: blank };
    await assert.rejects(engine.tryOn(input), { code: 'NO_PERSON_DETECTED' });
    assert.equal(drifting.calls, calls, 'the engine (a paid provider) was not called');
  });
});
