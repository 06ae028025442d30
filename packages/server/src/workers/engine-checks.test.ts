/**
 * The engine's checks mode (ENGINE_CHECKS, and the per-account override) through the job: the generation is accepted
 * with the account's effective mode, the worker hands it to the engine, and the engine refuses (strict: FAILED with
 * the typed code, refunded) or draws anyway (lenient: COMPLETED, the findings in the log, never in the answer).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CheckFinding, EngineError, type TryOnEngine, type TryOnInput } from '@fitroom/engine';
import type { LogOutput } from '../logging.js';
import { createTestContext, fixtureTryOn, postTryOn, type TestContext } from '../testing/test-server.js';

const FINDING: CheckFinding = {
  code: 'UNSUPPORTED_POSE',
  severity: 'refuse',
  message: 'The person appears to be seated or crouching; try-on needs a standing photo.',
  measured: { kneeDropSw: 0.1 },
};

/** An engine that judges every photo as the composite one judges a seated person, and records the mode it got. */
class JudgingEngine implements TryOnEngine {
  readonly name = 'judging';
  readonly modes: Array<TryOnInput['checks']> = [];
  async tryOn(input: TryOnInput) {
    this.modes.push(input.checks);
    if (input.checks !== 'lenient') throw new EngineError(FINDING.code, FINDING.message);
    return {
      image: input.person,
      contentType: 'image/jpeg' as const,
      width: 0,
      height: 0,
      diagnostics: { checks: { mode: input.checks, findings: [FINDING] } },
    };
  }
  async close() {}
}

type LogLine = Record<string, unknown>;
function capturedLog(): LogOutput & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) }, flush: async () => {} };
}

async function contextWith(env: Record<string, string>) {
  const engine = new JudgingEngine();
  const log = capturedLog();
  const ctx = await createTestContext({
    env: { LOG_LEVEL: 'info', ...env },
    logOutput: log,
    extraEngines: new Map<string, TryOnEngine>([['judging', engine]]),
  });
  return { ctx, engine, log };
}

/** An account on the judging engine with `engineChecks` (null: the deployment's), and one try-on run to its end. */
async function tryOnAs(ctx: TestContext, engineChecks: string | null) {
  const account = await ctx.newAccount(10);
  await ctx.deps.accounts.update(account.id, { engine: 'judging', engineChecks });
  const res = await postTryOn(ctx, ...fixtureTryOn({ title: 'shirt' }), { sync: true, apiKey: account.apiKey });
  assert.equal(res.statusCode, 200, res.body);
  const gen = res.json();
  return {
    gen,
    row: (await ctx.deps.generations.find(gen.generationId))!,
    balance: await ctx.deps.credits.balance(account.id),
  };
}

describe('engine checks: strict or lenient, per deployment and per account', () => {
  let strictDeployment: Awaited<ReturnType<typeof contextWith>>;
  let lenientDeployment: Awaited<ReturnType<typeof contextWith>>;
  before(async () => {
    strictDeployment = await contextWith({});
    lenientDeployment = await contextWith({ ENGINE_CHECKS: 'lenient' });
  });
  after(async () => {
    await strictDeployment?.ctx.close();
    await lenientDeployment?.ctx.close();
  });

  test('strict (the default): FAILED with the engine’s code and message, refunded', async () => {
    const { ctx, engine } = strictDeployment;
    assert.equal(ctx.config.engineChecks, 'strict');
    const { gen, row, balance } = await tryOnAs(ctx, null);
    assert.equal(gen.status, 'FAILED');
    assert.equal(gen.errorCode, 'UNSUPPORTED_POSE');
    assert.equal(gen.errorMessage, FINDING.message);
    assert.equal(row.engine_checks, 'strict');
    assert.equal(balance, 10, 'the failed generation was refunded');
    assert.equal(engine.modes.at(-1), 'strict');
  });

  test('an account set lenient: COMPLETED, charged; the findings logged by the worker, not in the answer', async () => {
    const { ctx, engine, log } = strictDeployment;
    const { gen, row, balance } = await tryOnAs(ctx, 'lenient');
    assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
    assert.equal(typeof gen.resultImageUrl, 'string');
    assert.equal(row.engine_checks, 'lenient');
    assert.equal(balance, 9);
    assert.equal(engine.modes.at(-1), 'lenient');
    assert.doesNotMatch(JSON.stringify(gen), /UNSUPPORTED_POSE|findings|seated/);
    const line = log.lines.find((l) => l.generationId === gen.generationId && l.checks);
    assert.ok(line, 'the worker logged the findings');
    assert.deepEqual(line.checks, { mode: 'lenient', findings: [FINDING] });
  });

  test('ENGINE_CHECKS=lenient is the deployment’s default; an account set strict still refuses', async () => {
    const { ctx } = lenientDeployment;
    const lenient = await tryOnAs(ctx, null);
    assert.equal(lenient.gen.status, 'COMPLETED');
    assert.equal(lenient.row.engine_checks, 'lenient');
    const strict = await tryOnAs(ctx, 'strict');
    assert.equal(strict.gen.status, 'FAILED');
    assert.equal(strict.gen.errorCode, 'UNSUPPORTED_POSE');
    assert.equal(strict.balance, 10);
  });
});
