import { describe, expect, it } from 'vitest';
import { connectionSection, vnTime } from '../../site/src/connection.ts';

const detail = {
  heartbeats: [
    {
      systemId: 'portal',
      registered: true,
      lastSeenAt: '2026-11-23T02:50:00.000Z',
      lateAt: '2026-11-23T03:20:00.000Z',
    },
    {
      systemId: '<bench>',
      registered: false,
      lastSeenAt: '2026-11-23T02:59:00.000Z',
      lateAt: '2026-11-23T03:29:00.000Z',
    },
    { systemId: 'tthc', registered: true, lastSeenAt: null, lateAt: null },
  ],
  lateAt: '2026-11-23T03:20:00.000Z',
  reconciliation: [
    { date: '2026-11-22', figure: 'received', reported: 104, counted: 100, withinTolerance: false },
    { date: '2026-11-22', figure: 'resolved', reported: 90, counted: 90, withinTolerance: true },
  ],
};

describe('the unit page’s connection section', () => {
  it('shows times in Vietnam time, the last minute of a day included', () => {
    expect(vnTime('2026-11-23T03:20:00.000Z')).toBe('2026-11-23 10:20 (UTC+7)');
    expect(vnTime('2026-12-31T16:59:00.000Z')).toBe('2026-12-31 23:59 (UTC+7)');
    expect(vnTime('2026-12-31T17:00:00.000Z')).toBe('2027-01-01 00:00 (UTC+7)');
  });

  it('gives each system its last heartbeat and late time, the unit’s late time, and each figure of each day', () => {
    const html = connectionSection(detail, 'en');
    expect(html).toContain(
      'The unit stops being fully connected unless a heartbeat arrives before: 2026-11-23 10:20 (UTC+7)',
    );
    expect(html).toContain(
      '<th scope="row">portal</th><td>2026-11-23 09:50 (UTC+7)</td><td>2026-11-23 10:20 (UTC+7)</td>',
    );
    expect(html).toContain('&lt;bench&gt; <small>(not registered)</small>');
    expect(html).not.toContain('<bench>');
    expect(html).toContain(
      '<tr class="off"><th scope="row">2026-11-22</th><td>Dossiers received</td><td class="num">104</td><td class="num">100</td><td>beyond the tolerance</td></tr>',
    );
    expect(html).toContain(
      '<tr><th scope="row">2026-11-22</th><td>Dossiers resolved</td><td class="num">90</td><td class="num">90</td><td>matches</td></tr>',
    );
    expect(connectionSection(detail, 'vi')).toContain('Đối soát theo ngày và chỉ số');
  });

  it('says when no daily totals were posted, and shows nothing for a file without the section', () => {
    expect(connectionSection({ ...detail, reconciliation: [] }, 'en')).toContain(
      'The unit has posted no daily totals for the reconciliation days.',
    );
    expect(connectionSection(undefined, 'en')).toBe('');
  });
});
