import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, ERROR_CATALOGUE } from './errors.js';

test('every catalogued code maps to its HTTP status and a contract envelope', () => {
  for (const code of Object.keys(ERROR_CATALOGUE) as Array<keyof typeof ERROR_CATALOGUE>) {
    const err = new ApiError(code);
    assert.deepEqual(Object.keys(err.toBody()).sort(), ['code', 'message', 'status']);
    assert.equal(err.toBody().status, ERROR_CATALOGUE[code].status);
  }
  const withDetails = new ApiError('VALIDATION_FAILED', undefined, [{ path: 'a', message: 'Required' }]);
  assert.deepEqual(withDetails.toBody().details, [{ path: 'a', message: 'Required' }]);
});
