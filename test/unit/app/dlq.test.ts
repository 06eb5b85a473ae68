import { describe, expect, it } from 'vitest';
import { DeadLetterQueue } from '../../../shared/app/dlq.ts';
import { InMemoryDeadLetterQueue } from '../../fakes/dead-letters.ts';

const heartbeat = (unitCode: string): string =>
  JSON.stringify({
    v: 1,
    kind: 'heartbeat',
    unitCode,
    systemId: 'tthc',
    receivedAt: 1_764_000_000_000,
    sentAt: 1_764_000_000_000,
  });

describe('the dead-letter use case', () => {
  it('explains each letter: poison by the contract it breaks, a valid one as safe to redrive', async () => {
    const queue = new InMemoryDeadLetterQueue().add('m-1', 'not json').add('m-2', heartbeat('H48'));

    const letters = await new DeadLetterQueue(queue, 'heartbeats').inspect();

    expect(letters.map((l) => [l.messageId, l.valid, l.unitCode])).toEqual([
      ['m-1', false, null],
      ['m-2', true, 'H48'],
    ]);
    expect(letters[0]?.reason).toBe('body is not JSON');
    expect(letters[1]?.reason).toContain('safe to redrive');
    expect(queue.dlq).toHaveLength(2);
  });

  it('gives a valid letter the reason the worker recorded when it last failed it', async () => {
    const queue = new InMemoryDeadLetterQueue().add('m-2', heartbeat('H48'));
    const failures = {
      reasons: async () =>
        new Map([['m-2', { reason: 'TransactionConflict', receiveCount: 5, at: Date.UTC(2026, 0, 2) }]]),
    };

    const [letter] = await new DeadLetterQueue(queue, 'heartbeats', failures).inspect();

    expect(letter?.reason).toBe(
      'TransactionConflict (last failed 2026-01-02T00:00:00.000Z, delivery 5); safe to redrive once that is fixed',
    );
  });

  it('redrives the selected valid letters, sending each before deleting it, and keeps poison and the rest', async () => {
    const queue = new InMemoryDeadLetterQueue()
      .add('m-1', 'not json')
      .add('m-2', heartbeat('H48'))
      .add('m-3', heartbeat('G12'));

    const outcome = await new DeadLetterQueue(queue, 'heartbeats').redrive((l) => l.messageId !== 'm-3');

    expect(outcome).toEqual({ redriven: ['m-2'], stillInvalid: ['m-1'], left: 1 });
    expect(queue.feed).toEqual([heartbeat('H48')]);
    expect(queue.dlq.map((m) => m.messageId)).toEqual(['m-1', 'm-3']);
  });

  it('reads past the first ten letters and discards only the selected ones', async () => {
    const queue = new InMemoryDeadLetterQueue();
    for (let i = 0; i < 23; i++) queue.add(`m-${i}`, heartbeat('H48'));

    const deleted = await new DeadLetterQueue(queue, 'heartbeats').discard((l) => l.messageId.endsWith('7'));

    expect(deleted.sort()).toEqual(['m-17', 'm-7']);
    expect(queue.dlq).toHaveLength(21);
    expect(queue.feed).toEqual([]);
  });
});
