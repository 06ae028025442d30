/**
 * The refusal checks (body/pose-checks.ts, body/outfit-checks.ts) on every person photo of the development sets, all
 * of them standing people in ordinary clothes: none may be refused. Prints, per photo, each measure against its
 * threshold (the margin: how far it stayed from firing) and the smallest margin per check; exits 1 when any check
 * fires, 2 when the sets are missing.
 *
 *   node --conditions=development --import tsx packages/engine/src/quality/check-margins.ts
 *
 * The photos are read from FIXTURES_DIR (default ../shared/fixtures beside the repository), as by `npm run quality`.
 * A top is assumed (the arms and the outfit are judged; for a bottom they are not).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyFrame } from '../body/frame.js';
import {
  LONG_SLEEVE_MIN_SHARE,
  OPEN_MIN_ROWS,
  OPEN_MIN_TOP_ROWS,
  openLayerMeasures,
  outfitFindings,
} from '../body/outfit-checks.js';
import { parsePerson } from '../body/parsing.js';
import {
  ACROSS_FOREARM_MAX_ANGLE_DEG,
  ACROSS_WRIST_NEAR_MIDLINE_SW,
  CROSS_WRIST_PAST_MIDLINE_SW,
  LYING_TORSO_TILT_DEG,
  poseFindings,
  poseMeasures,
  SEATED_KNEE_DROP_SW,
} from '../body/pose-checks.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { fixturesDir, missingFixturesMessage } from './fixtures.js';

interface Row {
  photo: string;
  /** Each check's margin (positive: did not fire), or null when the photo gives it nothing to measure. */
  margins: Record<string, number | null>;
  fired: string[];
}

const CHECKS = ['seated', 'crossed', 'forearmAngle', 'forearmWrist', 'lying', 'sleeves', 'openRows', 'openTop'];

async function main(): Promise<number> {
  const root = fixturesDir();
  const dirs = ['tryon/person', 'ootd/person'].map((d) => join(root, d)).filter((d) => existsSync(d));
  if (dirs.length === 0) {
    console.error(missingFixturesMessage(root));
    return 2;
  }
  const rows: Row[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort()) {
      if (!/\.(png|jpe?g|webp)$/i.test(name)) continue;
      const img = await decodeImage(readFileSync(join(dir, name)));
      const det = await detectPerson(img);
      const frame = bodyFrame(det);
      const photo = `${dir.split('/').at(-2)}/${name}`;
      if (!frame) {
        rows.push({ photo, margins: {}, fired: ['no shoulders'] });
        continue;
      }
      const size = { width: img.width, height: img.height };
      const pose = poseMeasures(frame, size);
      const parsing = parsePerson(img, det, frame, { lower: false });
      const open = openLayerMeasures(img, parsing, true);
      const minOf = (a: Array<number | null>) => {
        const v = a.filter((x): x is number => x !== null);
        return v.length ? Math.min(...v) : null;
      };
      // Forearms across need both arms near horizontal *and* both wrists near the midline: the arm nearest to the
      // horizontal is reported, its angle and its wrist (a margin ≤ 0 on one condition alone does not fire).
      const arm = [0, 1].reduce((a, b) => ((pose.forearmAngleDeg[b] ?? 99) < (pose.forearmAngleDeg[a] ?? 99) ? b : a));
      const angle = pose.forearmAngleDeg[arm] ?? null;
      const wrist = angle === null ? null : pose.wristFromMidlineSw[arm]!;
      const sleeves = minOf(open.sleeveShare);
      rows.push({
        photo,
        margins: {
          seated: pose.kneeDropSw === null ? null : pose.kneeDropSw - SEATED_KNEE_DROP_SW,
          crossed: pose.wristPastMidlineSw === null ? null : CROSS_WRIST_PAST_MIDLINE_SW - pose.wristPastMidlineSw,
          forearmAngle: angle === null ? null : angle - ACROSS_FOREARM_MAX_ANGLE_DEG,
          forearmWrist: wrist === null ? null : wrist - ACROSS_WRIST_NEAR_MIDLINE_SW,
          lying: pose.torsoTiltDeg === null ? null : LYING_TORSO_TILT_DEG - pose.torsoTiltDeg,
          sleeves: sleeves === null ? null : LONG_SLEEVE_MIN_SHARE - sleeves,
          openRows: open.sleevesDe === null ? null : OPEN_MIN_ROWS - open.openRows,
          openTop: open.sleevesDe === null ? null : OPEN_MIN_TOP_ROWS - open.openTopRows,
        },
        fired: [...poseFindings(frame, size), ...outfitFindings(img, parsing)].map((f) => f.message),
      });
    }
  }
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(2)).padStart(12);
  console.log(`${'photo'.padEnd(32)}${CHECKS.map((c) => c.padStart(12)).join('')}  fired`);
  for (const r of rows) {
    console.log(`${r.photo.padEnd(32)}${CHECKS.map((c) => fmt(r.margins[c])).join('')}  ${r.fired.join(' | ')}`);
  }
  console.log(
    `${'smallest margin'.padEnd(32)}${CHECKS.map((c) => {
      const v = rows.map((r) => r.margins[c]).filter((x): x is number => typeof x === 'number');
      return fmt(v.length ? Math.min(...v) : null);
    }).join('')}`,
  );
  const longSleeved = rows.filter((r) => typeof r.margins.sleeves === 'number' && r.margins.sleeves <= 0);
  console.log(
    `${'… long-sleeved photos only'.padEnd(32)}${CHECKS.map((c) => {
      const v = longSleeved.map((r) => r.margins[c]).filter((x): x is number => typeof x === 'number');
      return fmt(v.length ? Math.min(...v) : null);
    }).join('')}  (${longSleeved.length}: ${longSleeved.map((r) => r.photo).join(', ')})`,
  );
  console.log(
    '\nMargins: seated, crossed, forearmWrist in shoulder widths; forearmAngle, lying in degrees; sleeves, openRows and ' +
      'openTop in shares (sleeves: how far the barer forearm is from a long sleeve; a negative sleeves margin means ' +
      'long sleeves, and then openRows and openTop decide). Forearms across fire only when both their margins are ≤ 0 ' +
      'on both arms.',
  );
  const fired = rows.filter((r) => r.fired.length > 0);
  console.log(
    `\n${rows.length} photos, ${fired.length} refused${fired.length ? `: ${fired.map((r) => r.photo).join(', ')}` : ''}`,
  );
  return fired.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
