import type { Me } from '../../schemas/me.ts';

/** What the operator knows of one unit, read the way GET /v1/me reads it. */
export interface DoctorInput {
  unitCode: string;
  name: string;
  /** As the last evaluation published it (GET /v1/me's `verdict`); null before the first one. */
  verdict: Me['verdict'];
  refusals: Me['refusals'];
  /** What was accepted and then not counted; absent from reports made before it was recorded. */
  setAside?: Me['setAside'];
  rules: Me['connectionRules'];
}

interface Words {
  vi: string;
  en: string;
}

export interface Finding {
  code: string;
  problem: Words;
  fix: Words;
}

export interface DoctorReport {
  unitCode: string;
  name: string;
  status: string | null;
  evaluatedAt: string | null;
  findings: Finding[];
  refusals: Me['refusals'];
  setAside: Me['setAside'] | null;
  /** Plain words to paste into a reminder letter. */
  summary: Words;
}

/** How to fix each verdict reason, in the words a unit's developer needs; `system` fills `<system>` codes. */
function fixFor(code: string, rules: Me['connectionRules']): Words {
  const [kind, system = ''] = code.split(':');
  const hb = rules.heartbeat;
  switch (kind) {
    case 'no_data_ever':
      return {
        vi: 'Cấu hình hệ thống gửi tín hiệu kết nối (POST /v1/heartbeats), danh mục thủ tục và dữ liệu hồ sơ bằng khóa API của đơn vị; thử trước với ?dryRun=true.',
        en: 'Set the system up to send heartbeats (POST /v1/heartbeats), the procedure catalogue and dossier events with the unit’s API key; try it first with ?dryRun=true.',
      };
    case 'heartbeat_missing':
      return {
        vi: `Hệ thống ${system || 'của đơn vị'} cần gửi tín hiệu kết nối mỗi ${hb.expectedEverySeconds} giây, với systemId đúng như đã đăng ký (${rules.registeredSystems.join(', ') || 'chưa đăng ký'}).`,
        en: `System ${system || 'of the unit'} must send a heartbeat every ${hb.expectedEverySeconds} s, with the systemId exactly as registered (${rules.registeredSystems.join(', ') || 'none registered'}).`,
      };
    case 'heartbeat_late':
      return {
        vi: `Hệ thống ${system} đã ngừng gửi tín hiệu: kiểm tra tác vụ định kỳ; quá ${hb.lateAfterSeconds} giây không có tín hiệu là mất kết nối.`,
        en: `System ${system} stopped sending heartbeats: check its scheduled job; more than ${hb.lateAfterSeconds} s without one counts as lost.`,
      };
    case 'connection_interrupted':
      return {
        vi: 'Mọi hệ thống đều mất tín hiệu: kiểm tra đường truyền, khóa API và tác vụ gửi tín hiệu.',
        en: 'Every system lost its heartbeat: check the network path, the API key and the heartbeat job.',
      };
    case 'dossier_feed_missing':
      return {
        vi: 'Gửi các thay đổi trạng thái hồ sơ (POST /v1/dossier-events hoặc đường dẫn TrackingMCDT cũ).',
        en: 'Send dossier status changes (POST /v1/dossier-events, or the legacy TrackingMCDT URL).',
      };
    case 'dossier_feed_silent':
      return {
        vi: `Không có dữ liệu hồ sơ trong hơn ${rules.dossierFeed.silenceHours} giờ: kiểm tra hàng đợi gửi của hệ thống và các lỗi bị từ chối (GET /v1/me).`,
        en: `No dossier data for over ${rules.dossierFeed.silenceHours} h: check the sender’s outbox and its refusals (GET /v1/me).`,
      };
    case 'dossier_feed_thin':
      return {
        vi: 'Gửi sự kiện của mọi hồ sơ từ khi tiếp nhận (trạng thái 2 trở đi) đến khi trả kết quả; sự kiện trạng thái 1 và sự kiện gửi trùng không được tính.',
        en: 'Send the events of every dossier from its receipt (status 2 on) to its result; status-1 events and exact duplicates do not count.',
      };
    case 'catalog_missing':
    case 'catalog_empty':
      return {
        vi: 'Đồng bộ toàn bộ danh mục thủ tục (PUT /v1/catalog).',
        en: 'Sync the whole procedure catalogue (PUT /v1/catalog).',
      };
    case 'catalog_stale':
      return {
        vi: `Đồng bộ lại danh mục thủ tục (PUT /v1/catalog), ít nhất mỗi ${rules.catalog.maxAgeDays} ngày.`,
        en: `Sync the procedure catalogue again (PUT /v1/catalog), at least every ${rules.catalog.maxAgeDays} days.`,
      };
    case 'reconciliation_missing':
      return {
        vi: `Gửi số liệu tổng hợp theo ngày (POST /v1/daily-totals) cho ${rules.reconciliation.lookbackDays} ngày gần nhất, không tính hôm nay.`,
        en: `Send the daily totals (POST /v1/daily-totals) for the last ${rules.reconciliation.lookbackDays} days, today excluded.`,
      };
    case 'reconciliation_mismatch':
      return {
        vi: `Số liệu tự báo cáo lệch quá ${rules.reconciliation.absoluteTolerance} hồ sơ cộng ${(rules.reconciliation.tolerance * 100).toFixed(1)}% so với số liệu đã nhận: kiểm tra sự kiện bị từ chối hoặc chưa gửi của các ngày nêu trên, gửi bổ sung rồi gửi lại số liệu tổng hợp.`,
        en: `The reported totals differ from the counted figures by more than ${rules.reconciliation.absoluteTolerance} dossier(s) plus ${(rules.reconciliation.tolerance * 100).toFixed(1)}%: look for refused or unsent events of those days, send them, then send the totals again.`,
      };
    case 'reconciliation_unreported':
      return {
        vi: `Gửi số liệu tổng hợp (POST /v1/daily-totals) cho mọi ngày có hồ sơ trong ${rules.reconciliation.lookbackDays} ngày gần nhất, kể cả các ngày nêu trên.`,
        en: `Send the daily totals (POST /v1/daily-totals) for every day with dossiers in the last ${rules.reconciliation.lookbackDays} days, including the days named above.`,
      };
    default:
      return { vi: 'Xem docs/integrating.md.', en: 'See docs/integrating.md.' };
  }
}

const REFUSAL_FIX: Words = {
  vi: 'Sửa các trường bị từ chối theo ví dụ trong GET /v1/me rồi gửi lại; sự kiện bị từ chối không được tính.',
  en: 'Fix the refused fields, as the examples in GET /v1/me show, and send again; refused events are not counted.',
};

const SET_ASIDE_FIX: Words = {
  vi: 'Sửa nguyên nhân nêu trên rồi gửi lại các sự kiện; hồ sơ bị hủy theo yêu cầu không cần gửi lại.',
  en: 'Fix the cause named above and send those events again; a dossier voided on request need not be sent again.',
};

/**
 * The operator's view of one unit: each failing reason of the last published verdict with its fix, the
 * week's refusals, and a summary in Vietnamese and English that can go into a reminder letter as it is.
 */
export function doctorReport(input: DoctorInput): DoctorReport {
  const verdict = input.verdict;
  const findings: Finding[] = (verdict?.reasons ?? []).map((reason) => ({
    code: reason.code,
    problem: reason.message,
    fix: fixFor(reason.code, input.rules),
  }));
  const refusals = input.refusals;
  if (refusals.total > 0) {
    const list = refusals.byReason.map((r) => `${r.reason} ${r.count}`).join(', ');
    findings.push({
      code: 'refusals',
      problem: {
        vi: `Từ ${refusals.from} đến ${refusals.to}, ${refusals.total} sự kiện hoặc yêu cầu bị từ chối (${list}).`,
        en: `From ${refusals.from} to ${refusals.to}, ${refusals.total} events or requests were refused (${list}).`,
      },
      fix: REFUSAL_FIX,
    });
  }
  const aside = input.setAside;
  if (aside && aside.total > 0) {
    const list = (kinds: Record<string, string>): string =>
      aside.byReason.map((r) => `${kinds[r.kind]} ${r.count}: ${r.reason}`).join('; ');
    findings.push({
      code: 'set_aside',
      problem: {
        vi: `${aside.total} sự kiện, thông điệp hoặc hồ sơ đã được nhận nhưng không được tính (${list({ quarantined: 'sự kiện bị tách riêng', 'dead-letter': 'thông điệp lỗi', voided: 'hồ sơ bị hủy' })}).`,
        en: `${aside.total} events, messages or dossiers were accepted but not counted (${list({ quarantined: 'quarantined events', 'dead-letter': 'dead letters', voided: 'voided dossiers' })}).`,
      },
      fix: SET_ASIDE_FIX,
    });
  }
  const who = `${input.name} (${input.unitCode})`;
  const when = verdict?.evaluatedAt ?? null;
  const lines = (lang: 'vi' | 'en'): string[] =>
    findings.map(
      (f, i) => `${i + 1}. ${f.problem[lang]} ${lang === 'vi' ? 'Cách khắc phục' : 'To fix'}: ${f.fix[lang]}`,
    );
  let vi: string;
  let en: string;
  if (!verdict) {
    vi = `${who}: chưa có kết quả đánh giá nào được công bố cho đơn vị.`;
    en = `${who}: no evaluation has been published for the unit yet.`;
  } else if (findings.length === 0) {
    vi = `${who} kết nối đầy đủ, toàn diện, liên tục theo đánh giá lúc ${when}.`;
    en = `${who} is fully connected as of the evaluation at ${when}.`;
  } else {
    const state =
      verdict.status === 'connected'
        ? { vi: 'kết nối đầy đủ', en: 'fully connected' }
        : { vi: 'chưa kết nối đầy đủ, toàn diện, liên tục', en: 'not fully connected' };
    vi = [`Theo đánh giá lúc ${when}, ${who} ${state.vi}:`, ...lines('vi')].join('\n');
    en = [`As of the evaluation at ${when}, ${who} is ${state.en}:`, ...lines('en')].join('\n');
  }
  return {
    unitCode: input.unitCode,
    name: input.name,
    status: verdict?.status ?? null,
    evaluatedAt: when,
    findings,
    refusals,
    setAside: aside ?? null,
    summary: { vi, en },
  };
}
