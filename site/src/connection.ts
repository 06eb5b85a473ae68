import type { UnitSnapshot } from '../../shared/schemas/snapshot.ts';
import type { Lang } from './data.ts';
import { esc, missing } from './html.ts';
import { t, tr } from './i18n.ts';

/** A time as Vietnam reads it: `2026-11-23 10:00 (UTC+7)`. */
export function vnTime(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 7 * 3_600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)} (UTC+7)`;
}

/**
 * The unit page's connection section: each system's last heartbeat and when it turns late, when the unit
 * stops being fully connected without another heartbeat, and the reconciliation per day and figure.
 */
export function connectionSection(detail: UnitSnapshot['connection'], lang: Lang): string {
  if (!detail) return '';
  const L = (key: Parameters<typeof t>[1]): string => esc(t(lang, key));
  const time = (iso: string | null): string => (iso === null ? missing(lang, 'na_value') : esc(vnTime(iso)));
  const systems = detail.heartbeats
    .map(
      (h) =>
        `<tr><th scope="row">${esc(h.systemId)}${h.registered ? '' : ` <small>(${L('systemNotRegistered')})</small>`}</th><td>${time(h.lastSeenAt)}</td><td>${time(h.lateAt)}</td></tr>`,
    )
    .join('');
  const days = detail.reconciliation
    .map(
      (r) =>
        `<tr${r.withinTolerance ? '' : ' class="off"'}><th scope="row">${esc(r.date)}</th><td>${esc(tr(lang, r.figure))}</td><td class="num">${r.reported}</td><td class="num">${r.counted}</td><td>${r.withinTolerance ? L('withinTolerance') : L('beyondTolerance')}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="connection-heading" data-test="connection">
      <h2 id="connection-heading">${L('connectionDetail')}</h2>
      <p data-test="late-at">${L('lateAt')}: ${time(detail.lateAt)}</p>
      <div class="scroll"><table data-test="heartbeats"><caption class="sr-only">${L('heartbeats')}</caption><thead><tr><th scope="col">${L('system')}</th><th scope="col">${L('lastHeartbeat')}</th><th scope="col">${L('systemLateAt')}</th></tr></thead><tbody>${systems}</tbody></table></div>
      <h3>${L('reconciliation')}</h3>
      ${days === '' ? `<p data-test="reconciliation">${L('noDailyTotals')}</p>` : `<div class="scroll"><table data-test="reconciliation"><caption class="sr-only">${L('reconciliation')}</caption><thead><tr><th scope="col">${L('date')}</th><th scope="col">${L('figure')}</th><th scope="col">${L('reported')}</th><th scope="col">${L('counted')}</th><th scope="col">${L('check')}</th></tr></thead><tbody>${days}</tbody></table></div>`}
    </section>`;
}
