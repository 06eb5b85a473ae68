import { randomUUID } from 'node:crypto';
import type { Unit } from '../../schemas/registry.ts';
import type { ConnectionStatus, UnitRow } from '../../schemas/snapshot.ts';
import type { Reason } from './compliance.ts';
import type { Alert, AlertPort, StatusRecord, StatusStorePort } from './ports.ts';

/** The status names the ministry's letters use, in Vietnamese and English. */
export const STATUS_TEXT: Record<ConnectionStatus, { vi: string; en: string }> = {
  connected: { vi: 'Kết nối đầy đủ', en: 'Fully connected' },
  partial: { vi: 'Kết nối chưa đầy đủ', en: 'Partially connected' },
  interrupted: { vi: 'Kết nối bị gián đoạn', en: 'Connection interrupted' },
  never_connected: { vi: 'Chưa kết nối', en: 'Never connected' },
};

/** Why a unit's alerts are held: it is paused, or inside a declared maintenance window. */
export function alertsHeld(unit: Unit, at: number): 'paused' | 'maintenance' | null {
  if (unit.paused) return 'paused';
  const inWindow = unit.maintenance.some((w) => Date.parse(w.from) <= at && at < Date.parse(w.to));
  return inWindow ? 'maintenance' : null;
}

export function statusAlert(
  unit: Unit,
  from: ConnectionStatus | undefined,
  to: ConnectionStatus,
  reasons: Reason[],
  at: number,
  now: number,
): Alert {
  const was = from ? STATUS_TEXT[from] : { vi: 'chưa đánh giá', en: 'not yet evaluated' };
  const vi = `[EMC] ${unit.name} (${unit.unitCode}): ${was.vi} → ${STATUS_TEXT[to].vi}.\n${reasons.map((r) => `- ${r.vi}`).join('\n')}`;
  const en = `[EMC] ${unit.name} (${unit.unitCode}): ${was.en} → ${STATUS_TEXT[to].en}.\n${reasons.map((r) => `- ${r.en}`).join('\n')}`;
  return {
    alertId: `status-${unit.unitCode}-${at}-${randomUUID().slice(0, 8)}`,
    kind: 'status_change',
    unitCode: unit.unitCode,
    createdAt: now,
    subject: `[EMC] ${unit.unitCode}: ${STATUS_TEXT[to].vi} / ${STATUS_TEXT[to].en}`,
    text: `${vi}\n\n${en}`,
    data: {
      unitCode: unit.unitCode,
      name: unit.name,
      from: from ?? null,
      to,
      reasons: reasons.map((r) => r.code),
      at: new Date(at).toISOString(),
    },
  };
}

export function reminderAlert(
  unit: Unit,
  record: StatusRecord,
  reasons: Reason[],
  at: number,
  now: number,
): Alert {
  const days = ((at - record.since) / 86_400_000).toFixed(1);
  const status = STATUS_TEXT[record.status];
  return {
    alertId: `reminder-${unit.unitCode}-${at}`,
    kind: 'reminder',
    unitCode: unit.unitCode,
    createdAt: now,
    subject: `[EMC] Nhắc nhở / Reminder: ${unit.unitCode} ${status.vi} / ${status.en}`,
    text: `${unit.name} (${unit.unitCode}) vẫn ở trạng thái "${status.vi}" sau ${days} ngày.\n${reasons.map((r) => `- ${r.vi}`).join('\n')}\n\n${unit.name} (${unit.unitCode}) is still "${status.en}" after ${days} days.\n${reasons.map((r) => `- ${r.en}`).join('\n')}`,
    data: {
      unitCode: unit.unitCode,
      status: record.status,
      since: new Date(record.since).toISOString(),
      reasons: reasons.map((r) => r.code),
    },
  };
}

/**
 * The daily or weekly digest: every unit not fully connected, with its reasons, and the units whose first
 * verdict came in the period, which get no alert of their own.
 */
export function digestAlert(
  kind: 'daily' | 'weekly',
  period: string,
  rows: UnitRow[],
  now: number,
  firstVerdicts: readonly UnitRow[] = [],
): Alert {
  const failing = rows.filter((row) => row.connection.status !== 'connected');
  const first = (lang: 'vi' | 'en') =>
    firstVerdicts.length === 0
      ? ''
      : `\n${lang === 'vi' ? 'Đánh giá lần đầu' : 'First verdicts'} (${firstVerdicts.length}):\n${firstVerdicts
          .map((row) => `- ${row.unitCode} ${row.name}: ${STATUS_TEXT[row.connection.status][lang]}`)
          .join('\n')}`;
  const lines = (lang: 'vi' | 'en') =>
    failing
      .map(
        (row) =>
          `- ${row.unitCode} ${row.name}: ${STATUS_TEXT[row.connection.status][lang]}; ${row.connection.reasons.map((r) => r.message[lang]).join(' ')}`,
      )
      .join('\n');
  const label =
    kind === 'daily'
      ? { vi: 'Tổng hợp ngày', en: 'Daily digest' }
      : { vi: 'Tổng hợp tuần', en: 'Weekly digest' };
  return {
    alertId: `digest-${kind}-${period}`,
    kind: kind === 'daily' ? 'daily_digest' : 'weekly_digest',
    unitCode: null,
    createdAt: now,
    subject: `[EMC] ${label.vi} / ${label.en} ${period}: ${failing.length}/${rows.length}`,
    text: `${label.vi} ${period}: ${failing.length} trên ${rows.length} đơn vị chưa kết nối đầy đủ.\n${lines('vi')}${first('vi')}\n\n${label.en} ${period}: ${failing.length} of ${rows.length} units are not fully connected.\n${lines('en')}${first('en')}`,
    data: {
      period,
      firstVerdicts: firstVerdicts.map((row) => ({ unitCode: row.unitCode, status: row.connection.status })),
      units: failing.map((row) => ({
        unitCode: row.unitCode,
        status: row.connection.status,
        reasons: row.connection.reasons.map((r) => r.code),
      })),
    },
  };
}

/** The operator's alert for a hold: how many units changed at once, and the commands that settle it. */
export function holdAlert(
  holdId: string,
  changes: { unitCode: string; from: ConnectionStatus; to: ConnectionStatus }[],
  evaluated: number,
  at: number,
  now: number,
): Alert {
  const n = changes.length;
  const when = new Date(at).toISOString();
  const commands = `emc alerts release ${holdId}\nemc alerts drop ${holdId}`;
  const list = changes.map((c) => `- ${c.unitCode}: ${c.from} → ${c.to}`).join('\n');
  return {
    alertId: `alerts-held-${holdId}`,
    kind: 'alerts_held',
    unitCode: null,
    createdAt: now,
    subject: `[EMC] Tạm giữ ${n} cảnh báo / ${n} alerts held`,
    text: `Lần đánh giá lúc ${when}: ${n} trên ${evaluated} đơn vị đổi trạng thái cùng lúc. Nhiều khả năng lỗi nằm ở hệ thống giám sát (ví dụ tiếp nhận dữ liệu bị gián đoạn), không phải ở các đơn vị: cảnh báo gửi từng đơn vị được tạm giữ. Trạng thái vẫn được ghi nhận. Khi đã rõ nguyên nhân, gửi hoặc hủy các cảnh báo:\n${commands}\n${list}\n\nThe evaluation at ${when}: ${n} of ${evaluated} units changed status at once. The monitoring itself more likely failed (an ingest outage, for example) than the units: their alerts are held. Their statuses are recorded. Once the cause is known, send or drop the held alerts:\n${commands}\n${list}`,
    data: { holdId, at: when, evaluated, changes },
  };
}

/** Publishes queued alerts; each is claimed first, so two evaluations never send the same one. */
export async function drainAlerts(deps: {
  statuses: StatusStorePort;
  alerts: AlertPort;
  now: number;
}): Promise<number> {
  let sent = 0;
  for (const alert of await deps.statuses.pendingAlerts()) {
    if (!(await deps.statuses.claimAlert(alert.alertId, deps.now))) continue;
    await deps.alerts.publish(alert);
    await deps.statuses.markSent(alert.alertId);
    sent++;
  }
  return sent;
}
