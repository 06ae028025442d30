/**
 * The hosted engines' configuration (config-engines.ts through parseConfig): a half-configured engine stops the start
 * with the variable it lacks, provider keys never show when the configuration is printed, and the rule that picks a
 * try-on's engine (account, category, deployment).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError, parseConfig } from './config.js';
import { engineForTryOn, missingForEngine } from './services/engine-choice.js';

const FASHN_KEY = 'fa-config-test-key-0123456789';
const OIP = { OIP_URL: 'http://gpu-box:8080', OIP_MODEL: 'catvton', OIP_LICENCE: 'non-commercial' };
const REPLICATE = {
  REPLICATE_API_TOKEN: 'r8_config_test_token_0123456789',
  REPLICATE_MODEL_VERSION: 'c871bb9b046607b680449ecbae55fd8c6d945e0a1948644bf2361b3d021d3ff4',
  REPLICATE_LICENCE: 'non-commercial',
};

/** The message a configuration is refused with (the test fails when it is accepted). */
function refusal(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
    return err.message;
  }
  assert.fail(`accepted: ${JSON.stringify(env)}`);
}

describe('hosted engines: configuration', () => {
  test('ENGINE=fashn without FASHN_API_KEY stops the start, naming the variable', () => {
    assert.equal(
      refusal({ ENGINE: 'fashn' }),
      'Invalid environment variable ENGINE: fashn needs FASHN_API_KEY (docs/external-engine.md)',
    );
    assert.match(refusal({ ENGINE: 'fashn', FASHN_API_KEY: '' }), /needs FASHN_API_KEY/, 'empty is unset');
    const c = parseConfig({ ENGINE: 'fashn', FASHN_API_KEY: FASHN_KEY });
    assert.equal(c.engine, 'fashn');
    assert.equal(c.engines.fashn?.apiKey.reveal(), FASHN_KEY);
    assert.equal(c.engines.fashn?.baseUrl, 'https://api.fashn.ai/v1', "FASHN's public endpoint by default");
    assert.deepEqual([c.engines.fashn?.model, c.engines.fashn?.mode], ['tryon-v1.6', 'balanced']);
    assert.match(refusal({ FASHN_API_KEY: FASHN_KEY, FASHN_BASE_URL: 'ftp://fashn' }), /FASHN_BASE_URL/);
    assert.match(refusal({ FASHN_API_KEY: FASHN_KEY, FASHN_MODE: 'turbo' }), /FASHN_MODE/);
  });

  test('an Open Inference Protocol server needs its model name and the licence of the weights it serves', () => {
    assert.match(refusal({ OIP_URL: OIP.OIP_URL }), /^Invalid environment variable OIP_MODEL: required with OIP_URL/);
    assert.match(
      refusal({ OIP_URL: OIP.OIP_URL, OIP_MODEL: 'catvton' }),
      /^Invalid environment variable OIP_LICENCE: required with OIP_URL .*CC BY-NC-SA 4.0/,
    );
    assert.match(refusal({ ...OIP, OIP_MODEL: 'cat/../vton' }), /OIP_MODEL: a model name/);
    assert.match(refusal({ ENGINE: 'oip' }), /ENGINE: oip needs OIP_URL, OIP_MODEL and OIP_LICENCE/);
    const c = parseConfig({ ...OIP, OIP_LICENCE: 'commercial', OIP_CATEGORIES: 'upper, dress', OIP_MAX_SIDE: '768' });
    assert.deepEqual(c.engines.oip?.capabilities, {
      categories: ['upper', 'dress'],
      maxSide: 768,
      licence: 'commercial',
    });
    assert.match(refusal({ ...OIP, OIP_CATEGORIES: 'hats' }), /OIP_CATEGORIES/);
  });

  test('non-commercial weights are refused unless the deployment says it is non-commercial', () => {
    assert.match(
      refusal({ ...OIP, ENGINE: 'oip' }),
      /^Invalid environment variable ENGINE: oip serves a model licensed for non-commercial use only; set ENGINE_NONCOMMERCIAL=allow/,
    );
    assert.equal(parseConfig({ ...OIP, ENGINE: 'oip', ENGINE_NONCOMMERCIAL: 'allow' }).engine, 'oip');
    // Configured but not chosen: accepted, and an account cannot be set to it.
    const c = parseConfig({ ...OIP });
    assert.match(missingForEngine('oip', c) ?? '', /non-commercial/);
  });

  test('Replicate needs a model version and its licence; REPLICATE_INPUT is a JSON object', () => {
    const { REPLICATE_API_TOKEN } = REPLICATE;
    assert.match(refusal({ REPLICATE_API_TOKEN }), /REPLICATE_MODEL_VERSION: required with REPLICATE_API_TOKEN/);
    assert.match(refusal({ ...REPLICATE, REPLICATE_LICENCE: '' }), /REPLICATE_LICENCE: required/);
    assert.match(refusal({ ...REPLICATE, REPLICATE_INPUT: '[1]' }), /REPLICATE_INPUT: must be a JSON object/);
    const c = parseConfig({ ...REPLICATE, REPLICATE_INPUT: '{"steps": 30}', ENGINE_NONCOMMERCIAL: 'allow' });
    assert.deepEqual(c.engines.replicate?.input, { steps: 30 });
  });

  test('every engine named by ENGINE_FALLBACK or ENGINE_BY_CATEGORY must be runnable here', () => {
    assert.match(refusal({ ENGINE_FALLBACK: 'fashn' }), /^Invalid environment variable ENGINE_FALLBACK: fashn needs/);
    assert.match(refusal({ ENGINE_FALLBACK: 'gpu' }), /ENGINE_FALLBACK/);
    assert.deepEqual(parseConfig({ ENGINE_FALLBACK: 'composite, mock' }).engines.fallback, ['composite', 'mock']);

    assert.match(refusal({ ENGINE_BY_CATEGORY: 'dress=fashn' }), /ENGINE_BY_CATEGORY: fashn needs FASHN_API_KEY/);
    assert.match(refusal({ ENGINE_BY_CATEGORY: 'dress:fashn' }), /'dress:fashn' is not category=engine/);
    assert.match(refusal({ ENGINE_BY_CATEGORY: 'hat=mock' }), /'hat' is not a category/);
    assert.match(refusal({ ENGINE_BY_CATEGORY: 'dress=gpu' }), /'gpu' is not an engine/);
    assert.match(
      refusal({ ...OIP, OIP_CATEGORIES: 'upper', ENGINE_NONCOMMERCIAL: 'allow', ENGINE_BY_CATEGORY: 'dress=oip' }),
      /ENGINE_BY_CATEGORY: oip does not dress 'dress' garments \(its categories: upper\)/,
    );
    const c = parseConfig({ FASHN_API_KEY: FASHN_KEY, ENGINE_BY_CATEGORY: 'dress=fashn, lower=mock' });
    assert.deepEqual(c.engines.byCategory, { dress: 'fashn', lower: 'mock' });
  });

  test('resilience and the identity pass: defaults, bounds', () => {
    const d = parseConfig({}).engines;
    assert.deepEqual(
      [d.identityPass, d.timeoutMs, d.retries, d.backoffMs, d.circuit, d.allowNonCommercial],
      [true, 120_000, 2, 1000, { failures: 5, openMs: 60_000 }, false],
    );
    assert.equal(parseConfig({ IDENTITY_PASS: 'off' }).engines.identityPass, false);
    assert.match(refusal({ IDENTITY_PASS: 'no' }), /IDENTITY_PASS/);
    assert.match(refusal({ ENGINE_RETRIES: '9' }), /ENGINE_RETRIES/);
    assert.match(refusal({ ENGINE_CIRCUIT_FAILURES: '0' }), /ENGINE_CIRCUIT_FAILURES/);
  });

  test('provider keys never show when the configuration is printed, logged or refused', () => {
    const c = parseConfig({ FASHN_API_KEY: FASHN_KEY, ...REPLICATE, ...OIP, OIP_TOKEN: 'oip-config-test-token-01' });
    const secrets = [FASHN_KEY, REPLICATE.REPLICATE_API_TOKEN, 'oip-config-test-token-01'];
    for (const printed of [inspect(c, { depth: 20 }), JSON.stringify(c), String(c.engines.fashn?.apiKey)]) {
      for (const secret of secrets) assert.ok(!printed.includes(secret), `a key in ${printed.slice(0, 80)}…`);
    }
    // A refusal names the variable, never a value (a key pasted in the wrong variable included).
    const refused = refusal({ ...REPLICATE, REPLICATE_MODEL_VERSION: REPLICATE.REPLICATE_API_TOKEN });
    assert.ok(!refused.includes(REPLICATE.REPLICATE_API_TOKEN), refused);
  });
});

describe("a try-on's engine", () => {
  const config = parseConfig({ FASHN_API_KEY: FASHN_KEY, ENGINE_BY_CATEGORY: 'dress=fashn' });
  const dress = { title: 'Linen summer dress', description: null };
  const tee = { title: 'Cotton T-shirt', description: 'wear it with a skirt' };

  test("the account's own engine, else the category's (by the product's words), else ENGINE", () => {
    assert.equal(engineForTryOn({ engine: null }, dress, config), 'fashn');
    assert.equal(engineForTryOn({ engine: null }, tee, config), 'composite', 'the title names the category first');
    assert.equal(engineForTryOn({ engine: null }, { title: 'Item 42', description: null }, config), 'composite');
    assert.equal(engineForTryOn({ engine: 'mock' }, dress, config), 'mock', "the account's choice wins");
  });
});
