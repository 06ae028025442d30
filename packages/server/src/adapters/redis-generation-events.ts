/**
 * Generation wake-ups across processes (scale-out): the worker that finishes a generation may run on another machine
 * than the API process holding `POST /try-on/sync` open. A terminal generation's id is published on one Redis channel;
 * every process subscribes to it and wakes its own waiters (kept in memory, as in the embedded deployment).
 *
 * Pub/sub is fire-and-forget: a message published while a subscriber is reconnecting is lost. That is acceptable
 * because the waiter is a shortcut: `/try-on/sync` also re-reads the generation every few seconds
 * (services/generations.service.ts), so a lost wake-up costs latency, never a wrong answer.
 */
import type { Redis } from 'ioredis';
import type { GenerationEvents } from '../ports/generation-events.js';
import { MemoryGenerationEvents } from './memory-generation-events.js';

export class RedisGenerationEvents implements GenerationEvents {
  private readonly local = new MemoryGenerationEvents();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * Subscribes on a connection of its own (a subscribed Redis connection can do nothing else) and resolves once the
   * subscription is live, so that no wake-up published after start-up is missed.
   */
  static async connect(
    publisher: Redis,
    prefix: string,
    onError: (err: unknown) => void,
  ): Promise<RedisGenerationEvents> {
    const channel = `${prefix}generation-terminal`;
    const subscriber = publisher.duplicate();
    subscriber.on('error', onError);
    const events = new RedisGenerationEvents(publisher, subscriber, channel, onError);
    subscriber.on('message', (from: string, generationId: string) => {
      if (from === channel) events.local.publishTerminal(generationId);
    });
    await subscriber.subscribe(channel);
    return events;
  }

  publishTerminal(generationId: string): void {
    // Waiters in this process need not wait for the round trip; the echo from Redis then finds none left.
    this.local.publishTerminal(generationId);
    this.publisher.publish(this.channel, generationId).catch(this.onError);
  }

  waitForTerminal(generationId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return this.local.waitForTerminal(generationId, timeoutMs, signal);
  }

  /** Closes the subscription's connection (the publisher belongs to the caller). */
  async close(): Promise<void> {
    await this.subscriber.quit();
  }
}
