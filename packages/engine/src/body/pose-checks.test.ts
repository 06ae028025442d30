/** The pose checks on constructed keypoint frames (image pixels, a 768x1024 photo, shoulder width 200 px). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { P } from '../raster/draw.js';
import type { BodyFrame } from './frame.js';
import { poseFindings, poseMeasures } from './pose-checks.js';

const SIZE = { width: 768, height: 1024 };

/** A person standing square to the camera, arms hanging at the sides: shoulders at y 250, hips at y 540. */
function standing(overrides: Partial<BodyFrame> = {}): BodyFrame {
  const p = (x: number, y: number): P => ({ x, y });
  return {
    lShoulder: p(284, 250),
    rShoulder: p(484, 250),
    lHip: p(314, 540),
    rHip: p(454, 540),
    lElbow: p(264, 400),
    rElbow: p(504, 400),
    lWrist: p(260, 530),
    rWrist: p(508, 530),
    lKnee: p(318, 780),
    rKnee: p(450, 780),
    lAnkle: p(320, 990),
    rAnkle: p(448, 990),
    nose: p(384, 150),
    shoulderWidth: 200,
    hipsSeen: true,
    ...overrides,
  };
}

const codes = (f: BodyFrame, arms = true) =>
  poseFindings(f, { ...SIZE, arms }).map((x) => `${x.code}:${x.severity}:${x.message}`);

describe('pose checks', () => {
  it('a person standing with the arms at the sides passes', () => {
    assert.deepEqual(codes(standing()), []);
    const m = poseMeasures(standing(), SIZE);
    assert.ok(Math.abs(m.kneeDropSw! - 1.2) < 0.01, `knee drop ${m.kneeDropSw}`);
    assert.ok(m.wristPastMidlineSw! < -0.5);
  });

  it('seated: knees level with the hips, or above them, or thighs foreshortened towards the camera', () => {
    for (const kneeY of [540, 500, 600]) {
      const f = standing({ lKnee: { x: 250, y: kneeY }, rKnee: { x: 520, y: kneeY } });
      const found = poseFindings(f, SIZE);
      assert.equal(found.length, 1, `knees at y ${kneeY}`);
      assert.equal(found[0]!.code, 'UNSUPPORTED_POSE');
      assert.equal(found[0]!.severity, 'refuse');
      assert.match(found[0]!.message, /seated/);
    }
    // One knee raised (a step, a leg crossed while standing) is not sitting: the other still stands.
    assert.deepEqual(codes(standing({ lKnee: { x: 300, y: 560 } })), []);
  });

  it('a half-body photo (hips extrapolated, no knees) is not called seated', () => {
    const half = standing({ hipsSeen: false, lKnee: null, rKnee: null, lAnkle: null, rAnkle: null });
    assert.deepEqual(codes(half), []);
    assert.equal(poseMeasures(half, SIZE).kneeDropSw, null);
    // Nor when a knee MoveNet cannot see is put on the bottom edge just below hips seen at the bottom edge.
    const cut = standing({ lHip: { x: 314, y: 1000 }, rHip: { x: 454, y: 1000 } });
    const onEdge = { ...cut, lKnee: { x: 318, y: 1020 }, rKnee: { x: 450, y: 1020 } };
    assert.deepEqual(codes(onEdge), []);
    // Extrapolated hips with knees "seen" near them (a hallucination): no judgement either.
    assert.deepEqual(codes(standing({ hipsSeen: false, lKnee: { x: 318, y: 560 }, rKnee: { x: 450, y: 560 } })), []);
  });

  it('crossed arms: a wrist past the midline on the other side', () => {
    // Arms folded over the chest: each wrist near the other elbow.
    const folded = standing({
      lElbow: { x: 280, y: 420 },
      rElbow: { x: 490, y: 430 },
      lWrist: { x: 470, y: 400 },
      rWrist: { x: 300, y: 410 },
    });
    const found = poseFindings(folded, SIZE);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.code, 'UNSUPPORTED_POSE');
    assert.match(found[0]!.message, /crossed/);
    assert.ok(poseMeasures(folded, SIZE).wristPastMidlineSw! > 0.4);
    // One arm across to the other shoulder is enough.
    assert.equal(poseFindings(standing({ rElbow: { x: 420, y: 420 }, rWrist: { x: 300, y: 300 } }), SIZE).length, 1);
  });

  it('both forearms held across the torso, wrists short of the midline', () => {
    const across = standing({
      lElbow: { x: 250, y: 420 },
      rElbow: { x: 518, y: 420 },
      lWrist: { x: 360, y: 450 },
      rWrist: { x: 410, y: 450 },
    });
    const m = poseMeasures(across, SIZE);
    assert.ok(m.wristPastMidlineSw! < 0.2 && m.forearmsAcross);
    assert.match(codes(across)[0] ?? '', /UNSUPPORTED_POSE:refuse:.*held across/);
    // Only one forearm across (the other hanging): allowed.
    assert.deepEqual(codes({ ...across, rElbow: standing().rElbow, rWrist: standing().rWrist }), []);
  });

  it('hands on the hips are not crossed arms', () => {
    const akimbo = standing({
      lElbow: { x: 180, y: 420 },
      rElbow: { x: 588, y: 420 },
      lWrist: { x: 300, y: 500 },
      rWrist: { x: 468, y: 500 },
    });
    const m = poseMeasures(akimbo, SIZE);
    assert.ok(m.forearmAngleDeg[0]! < 35, 'the forearms are near horizontal, as when crossed');
    assert.ok(m.wristFromMidlineSw[0]! > 0.3 && m.wristFromMidlineSw[1]! > 0.3, 'but the wrists are at the sides');
    assert.deepEqual(codes(akimbo), []);
  });

  it('the arms are not judged for a bottom', () => {
    const folded = standing({ lWrist: { x: 470, y: 400 }, rWrist: { x: 300, y: 410 } });
    assert.equal(codes(folded).length, 1);
    assert.deepEqual(codes(folded, false), []);
  });

  it('lying or upside down is fatal: refused in lenient mode too', () => {
    const upsideDown = standing({ lHip: { x: 314, y: 100 }, rHip: { x: 454, y: 100 } });
    const lying = standing({ lHip: { x: 600, y: 280 }, rHip: { x: 600, y: 400 } });
    for (const f of [upsideDown, lying]) {
      const found = poseFindings(f, SIZE);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.severity, 'fatal');
      assert.match(found[0]!.message, /lying down or upside down/);
    }
    // A lean of 20° is standing.
    assert.deepEqual(codes(standing({ lHip: { x: 420, y: 520 }, rHip: { x: 560, y: 520 } })), []);
  });
});
