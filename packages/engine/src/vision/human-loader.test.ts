import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../engine.js';
import { DEFAULT_BODY_MODEL, defaultModelsDir, loadVisionModels } from './human-loader.js';

const isUnavailable = (err: unknown) => err instanceof EngineError && err.code === 'ENGINE_UNAVAILABLE';

test('refuses a network models location without touching the network', async () => {
  await assert.rejects(loadVisionModels({ modelsDir: 'https://example.com/models/' }), isUnavailable);
  await assert.rejects(loadVisionModels({ modelsDir: 'http://127.0.0.1:9/models' }), isUnavailable);
});

test('a folder without the model files is ENGINE_UNAVAILABLE, and a later load from the right folder works', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'fitroom-no-models-'));
  await assert.rejects(loadVisionModels({ modelsDir: empty }), (err: unknown) => {
    assert.ok(isUnavailable(err));
    assert.match((err as Error).message, /blazeface/);
    return true;
  });
  const models = await loadVisionModels();
  assert.equal(models.modelsDir, defaultModelsDir().replace(/[/\\]+$/, ''));
  assert.equal(models.tf.getBackend(), 'wasm');
  assert.equal(models.body.name, DEFAULT_BODY_MODEL);
  assert.equal(models.body.inputSize, 192, 'MoveNet-Lightning takes 192x192');
  assert.deepEqual([models.selfie.inputHeight, models.selfie.inputWidth], [256, 256]);
  assert.deepEqual(models.human.models.loaded().sort(), ['blazeface', 'facemesh']);
});

test('models load once per thread; asking for another set in the same thread is an error', async () => {
  const a = await loadVisionModels();
  const b = await loadVisionModels({ modelsDir: `file://${defaultModelsDir()}` });
  assert.equal(a, b, 'same folder given as a file:// URL reuses the loaded set');
  await assert.rejects(loadVisionModels({ bodyModel: 'movenet-thunder' }), isUnavailable);
});

test('the model router serves only plain model names from the models folder', async () => {
  const { tf } = await loadVisionModels();
  // Path traversal and foreign schemes find no handler in our router (and http would need the network: never used).
  await assert.rejects(tf.loadGraphModel('fitroom-models://../../package.json'), (err: unknown) => {
    assert.ok(isUnavailable(err));
    assert.match((err as Error).message, /Refusing/);
    return true;
  });
  await assert.rejects(tf.loadGraphModel('fitroom-models://nope.json'), /Cannot read vision model/);
});
