/** The blob keys are on disk and in the database already: their format must not change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logoKey, personImageKey, productImageKey, resultKey } from './blob-keys.js';

test('blob keys keep the format of the data already stored', () => {
  assert.equal(personImageKey('acc_1', 'img_a'), 'acc_1/images/img_a.jpg');
  assert.equal(logoKey('acc_1', 'img_b'), 'acc_1/logo/img_b.png');
  assert.equal(productImageKey('acc_1', 'pim_c', 'image/jpeg'), 'acc_1/products/pim_c.jpg');
  assert.equal(productImageKey('acc_1', 'pim_c', 'image/png'), 'acc_1/products/pim_c.png');
  assert.equal(resultKey('acc_1', 'gen_d', 'image/jpeg'), 'acc_1/results/gen_d.jpg');
  assert.equal(resultKey('acc_1', 'gen_d', 'image/png'), 'acc_1/results/gen_d.png');
});
