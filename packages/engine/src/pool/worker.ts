/**
 * Entry point of one pool worker thread. It imports the task modules it was given (each registers its tasks), then
 * runs one task at a time: the tfjs wasm backend is single-threaded, so a worker has nothing to gain from running two.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FromWorker, serializeError, type ToWorker, type WorkerConfig } from './protocol.js';
import { getTask } from './registry.js';

const config = workerData as WorkerConfig;
const port = parentPort;
if (!port) throw new Error('engine worker must run in a worker thread');

for (const url of config.taskModules) await import(url);

const running = new Map<number, AbortController>();

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

port.on('message', async (message: ToWorker) => {
  if (message.type === 'abort') {
    running.get(message.id)?.abort();
    return;
  }
  const { id, task, payload } = message;
  const handler = getTask(task);
  if (!handler) {
    send({
      type: 'result',
      id,
      ok: false,
      error: { name: 'EngineError', code: 'ENGINE_UNAVAILABLE', message: `Unknown engine task: ${task}` },
    });
    return;
  }
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const result = await handler(payload, { signal: controller.signal, config });
    send({ type: 'result', id, ok: true, value: result.value }, result.transfer);
  } catch (err) {
    send({ type: 'result', id, ok: false, error: serializeError(err) });
  } finally {
    running.delete(id);
  }
});

send({ type: 'ready' });
