#!/usr/bin/env -S npx tsx
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OperationRefusedError } from '../shared/app/errors.ts';
import { ENV } from '../shared/config/env-names.ts';
import { settings } from '../shared/config/settings.ts';
import { parseAsOf, parseDuration } from './arguments.ts';
import { CliError, connect, type Target } from './context.ts';
import { exitAfterFlush } from './exit.ts';
import { bar } from './progress.ts';

process.env[ENV.sdkNodeVersionWarningDisabled] ??= 'true';

const HELP: Record<string, string> = {
  '': `emc: operate the EMC monitoring pipeline.

Works against the running local stack (found through EMC_DATA_DIR, default ./.emc) or, with --aws,
against a deployed stack (its CDK outputs file: EMC_OUTPUTS, default ./cdk-outputs.json).

  emc units import <file.json|file.csv> [--sender P]
                                          add or update units (history is kept)
  emc units list [--at D] [--json]        the registry as of a day
  emc units add|rename|pause|resume|retire|merge|split|apply|history
                                          the unit lifecycle: see emc units --help
  emc keys issue <unitCode> [--sender P]  print a new API key (shown only this once)
  emc keys list <unitCode> [--json]       a unit's keys: prefix, status, created, last used
  emc keys rotate <unitCode> [--overlap 7d]
                                          a new key; the old ones keep working for the overlap
  emc keys revoke <keyPrefix>             revoke a key (401 within the key cache time)
  emc dlq inspect|redrive|discard [--feed F]
                                          dead letters with reasons; send back safely
  emc rebuild <unitCode> --from D --to D [--swap]
                                          recompute counters from the raw archive, compare, swap
  emc archive compact [--day D] [--json]  merge each unit's closed day of raw archive objects into one
  emc evaluate [--at <ISO time>] [--json] evaluate and publish now
  emc simulate [--seed N] [--dossiers N] [--days N] [--out truth.json]
                                          send deterministic demo traffic through the API
  emc status [--json]                     queue depths, DLQ counts, snapshot age
  emc doctor [unitCode…] [--json]         why a unit is not fully connected, how to fix it, and a
                                          summary for a reminder letter (Vietnamese and English)
  emc reconcile <unitCode> [--from D] [--to D] [--json|--csv]
                                          reported daily totals against counted figures (đối soát)
  emc alerts list|release <holdId>|drop <holdId> [--json]
                                          alerts held when too many units changed at once
  emc dossiers void <unitCode> <dossierCode…> --reason R [--dry-run] [--json]
                                          withdraw dossiers a unit sent by mistake, counters
                                          corrected exactly, the voiding archived; restore undoes it

Every command takes --help, and --now <ISO time> to run on a clock that starts then (default: EMC_NOW,
else the local stack's clock, else the real time).`,
  units: `emc units import <file.json|file.csv> [--sender P]
  JSON: an array of { "unitCode", "name", "kind" ("ministry" | "province" | "sector" | "other"),
        "systems": [systemId…], "targets"?, "paused"?, "maintenance"?, "agencies"?, "sender"? }
  CSV:  a header row with unitCode,name,kind,systems (systems separated by ";"), and optionally sender.
  --sender P sets the legacy sender profile of every row that names none.
  Fields a row leaves out keep their stored values; lifecycle history is never erased by an import.
emc units list [--at YYYY-MM-DD] [--json]
emc units add <code> --name N --kind K [--systems a,b] [--sender P] [--on D]
                                                a new unit, existing from day D; --sender names its
                                                legacy TrackingMCDT sender (opencps, dichvucong-dotnet,
                                                generic): it is then judged on the legacy criteria
emc units rename <code> --name N [--on D]       earlier evaluations keep the old name
emc units pause <code> [--reason R]             evaluated and published, no alerts
emc units resume <code>
emc units retire <code> [--on D]                no successor: its history stays its own
emc units merge --into H44 H25 H26 [--on D]     from day D the merged units' history counts for H44
emc units split H01 --into H61=<agency>,<agency> --into H62 [--on D]
                                                each listed agency goes to its part, the rest to the bare one
emc units apply <reorganisation.json>           renames, merges, splits and retirements of one day, as data
                                                (docs/examples/provinces-2025-07-01.json: 63 → 34 provinces);
                                                safe to run again: finished steps are skipped
emc units history <code>
  D defaults to today (Vietnam time). Dated snapshots published before D are never rewritten.`,
  keys: `emc keys issue <unitCode> [--sender opencps|dichvucong-dotnet|generic]
                              prints the key alone on stdout; store it now, it is never shown again.
                              --sender: how the legacy TrackingMCDT feed reads this key's records
                              (default: the unit's sender, else generic); see docs/senders/
emc keys list <unitCode> [--json]
emc keys rotate <unitCode> [--overlap 7d]
                              prints a new key; every other active key of the unit expires after the
                              overlap (units switch at their own pace, then the old key stops working)
emc keys revoke <keyPrefix>   the 12-character prefix, as "keys list" shows it; ingest refuses the key
                              within the key-cache time (ingest.keyCacheSeconds, 30 s by default)`,
  dlq: `emc dlq inspect [--feed dossier-events] [--limit 100] [--json] [--save <dir>]
  Each dead letter: id, unit, events, receive count, and why it failed. --save writes the bodies.
  For dossier-events, also each event the worker set aside (it broke the queue contract while the rest of
  its message was counted), with its message id, position and reason.
emc dlq inspect --set-aside [--json]
  Only the set-aside events, with the event itself in the JSON.
emc dlq redrive [--feed F] (--all | --ids id1,id2)
  Sends them back to the main queue (send, then delete). Letters that still break the queue contract stay.
  Counting is idempotent: a redriven event that was already counted changes nothing.
emc dlq discard [--feed F] --ids id1,id2
  Deletes dead letters for good (save them first with inspect --save).`,
  archive: `emc archive compact [--day YYYY-MM-DD] [--json]
  Merges each unit's raw archive objects of a closed Vietnam day into one object (what the daily
  compaction does after midnight). Without --day: yesterday and the days of the lookback. Safe to run
  again at any time; nothing is deleted before it has been read back from the day object.`,
  rebuild: `emc rebuild <unitCode> --from YYYY-MM-DD --to YYYY-MM-DD [--swap [--widen]] [--json]
                [--lookback-days 400] [--hold-seconds 900]
  Recomputes the unit's counters for whole months (the range is widened to month boundaries) from the raw
  archive, and lists every figure where the live counters differ. With --swap, replaces exactly those.
  The unit's dossier commits are held back during the comparison and swap; its messages wait in the queue.
  A swap is refused when dossiers to replace also count in months outside the range; --widen rebuilds
  over those months too. A newer rebuild of the unit fences out an older one's swap.
  Interrupted? Run the same command again: it resumes from .emc/rebuild-*.json.`,
  evaluate: `emc evaluate [--at <ISO time>] [--json]
  Evaluates every unit and publishes the snapshots now; alerts go to SNS with --aws, else to the local
  stack's alerts.log. --at evaluates as of that time, read-only: no status change, no alert, and the
  snapshots only under snapshots/as-of/<time>/, never latest.json.`,
  simulate: `emc simulate [--seed 2024] [--scale demo|national] [--dossiers 20000] [--days 14] [--out .emc/ground-truth.json]
  Imports the 83-unit demo registry if needed, issues a key per unit, and sends heartbeats, catalogues,
  dossier events (some through the legacy TrackingMCDT feed) and daily totals through the HTTP API.
  Four units (H09, H27 on OpenCPS; H44, G16 on the .NET system) send only their vendor's TrackingMCDT
  records and are judged on the legacy criteria. By default 16 of 83 units are left not fully connected,
  for a mix of reasons; the four legacy-only units are among the 67 connected. Writes the ground truth.
  --scale national sends one national day (200,000 dossiers); --dossiers and --days override the scale.
  The local stack records the scenario it holds (npm start's first backfill sends the default one): run
  without --seed, --scale, --dossiers or --days, simulate sends that scenario again, exactly, so its
  events are counted once and the ground truth still holds.`,
  reconcile: `emc reconcile <unitCode> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json | --csv]
  For each day (default: the last 7 days) and figure (received, receivedOnline, resolved, resolvedOnTime),
  what the unit reported through POST /v1/daily-totals against what the pipeline counted, with the
  difference and whether it is within the configured tolerance. A day with no report shows an empty value.`,
  doctor: `emc doctor [unitCode…] [--json]
  For each unit (by default every unit the last evaluation found not fully connected): the published verdict
  with the fix for each reason, the refusals of the last 7 days by reason with examples, and a summary in
  Vietnamese and English to paste into a reminder letter. The unit sees the same through GET /v1/me.`,
  dossiers: `emc dossiers void <unitCode> <dossierCode…> --reason R [--dry-run] [--json]
  Withdraws dossiers the unit sent by mistake (test data, say). Every counter they added (day, month,
  quarter and year, agency and unit, online services) loses exactly their share, in the workers' own
  transactions. The voiding is archived: who (EMC_OPERATOR, else the login name), when, why, and the
  dossier's last state. The unit sees the count in GET /v1/me (setAside), operators in emc doctor.
  Voiding again changes nothing. Events that still arrive for a voided dossier are kept but count nothing.
  An unknown dossier code refuses the whole command before anything is written.
  --dry-run prints what would change and writes nothing.
emc dossiers restore <unitCode> <dossierCode…> --reason R [--dry-run] [--json]
  A voided dossier counts again, as its events now say.`,
  status: `emc status [--json]
  Queue depths, DLQ counts, the last evaluation and the snapshot age.`,
};

/** Thrown after help is printed, so the exit waits for stdout like every other command's. */
class HelpShown extends Error {
  override readonly name = 'HelpShown';
}

function usage(topic: string): never {
  console.log(HELP[topic] ?? HELP['']);
  throw new HelpShown();
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      aws: { type: 'boolean' },
      at: { type: 'string' },
      now: { type: 'string' },
      seed: { type: 'string' },
      dossiers: { type: 'string' },
      days: { type: 'string' },
      day: { type: 'string' },
      scale: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      csv: { type: 'boolean' },
      name: { type: 'string' },
      kind: { type: 'string' },
      systems: { type: 'string' },
      on: { type: 'string' },
      into: { type: 'string', multiple: true },
      reason: { type: 'string' },
      overlap: { type: 'string' },
      feed: { type: 'string' },
      ids: { type: 'string' },
      all: { type: 'boolean' },
      save: { type: 'string' },
      limit: { type: 'string' },
      swap: { type: 'boolean' },
      widen: { type: 'boolean' },
      'lookback-days': { type: 'string' },
      'hold-seconds': { type: 'string' },
      sender: { type: 'string' },
      'set-aside': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
  });
  const [command = '', sub = '', arg] = positionals;
  if (values.help || command === '' || command === 'help') usage(command === 'help' ? sub : command);
  const target: Target = connect(values.aws ?? false, values.now);
  const clock = target.clock;
  const { DynamoRegistry } = await import('../shared/adapters/dynamo-registry.ts');
  const registry = new DynamoRegistry(target.tables.state);

  if (command === 'units') {
    const { unitsCommand } = await import('./commands.ts');
    await unitsCommand(target, sub, positionals.slice(2), values);
    return;
  }
  if (command === 'keys') {
    const { DynamoKeyStore } = await import('../shared/adapters/dynamo-key-store.ts');
    const store = new DynamoKeyStore(target.tables.keys);
    const { loadKeyPepper } = await import('../shared/adapters/key-pepper.ts');
    const keyDeps = {
      store,
      registry,
      pepper: loadKeyPepper,
      utcOffsetMinutes: settings().time.utcOffsetMinutes,
    };
    if (sub === 'issue') {
      if (!arg) throw new CliError('keys issue needs a unit code: emc keys issue H01');
      const { issueUnitKey } = await import('../shared/app/keys.ts');
      const { senderFlag } = await import('./commands.ts');
      const { key } = await issueUnitKey(keyDeps, arg, clock(), senderFlag(values.sender));
      console.log(key);
      return;
    }
    if (sub === 'list') {
      if (!arg) throw new CliError('keys list needs a unit code');
      const keys = (await store.listForUnit(arg))
        .map(({ hash: _hash, ...rest }) => rest)
        .sort((a, b) => a.createdAt - b.createdAt);
      const iso = (ms: number | undefined) => (ms === undefined ? '—' : new Date(ms).toISOString());
      if (values.json) console.log(JSON.stringify(keys, null, 2));
      else
        for (const k of keys) {
          const state =
            k.status === 'active' && k.expiresAt !== undefined
              ? k.expiresAt > clock()
                ? `expires ${iso(k.expiresAt)}`
                : 'expired'
              : k.status;
          console.log(`${k.prefix}\t${state}\tcreated ${iso(k.createdAt)}\tlast used ${iso(k.lastUsedAt)}`);
        }
      return;
    }
    if (sub === 'rotate') {
      if (!arg) throw new CliError('keys rotate needs a unit code: emc keys rotate H01 --overlap 7d');
      const { rotateKey } = await import('../shared/app/keys.ts');
      const rotated = await rotateKey(keyDeps, arg, parseDuration(values.overlap ?? '7d'), clock());
      console.log(rotated.key);
      for (const old of rotated.expiring)
        console.error(`key ${old.prefix} keeps working until ${new Date(old.expiresAt).toISOString()}`);
      return;
    }
    if (sub === 'revoke') {
      if (!arg) throw new CliError('keys revoke needs a key prefix');
      const revoked = await store.revoke(arg);
      if (!revoked) throw new CliError(`No key has the prefix ${arg}.`);
      console.log(`revoked ${arg} of unit ${revoked.unitCode}`);
      return;
    }
  }
  if (command === 'evaluate') {
    const now = clock();
    const at = parseAsOf(values.at, now);
    const { evaluate } = await import('../shared/domain/evaluation/evaluate.ts');
    const { evaluationDeps } = await import('../shared/runtime/evaluation-wiring.ts');
    const { evaluationAlerts } = await import('./evaluate-alerts.ts');
    const deps = evaluationDeps(
      { [ENV.stateTable]: target.tables.state, [ENV.snapshotBucket]: target.bucket },
      (s3) => evaluationAlerts(target, s3),
    );
    const mode = values.at === undefined ? 'live' : 'asOf';
    const summary = await evaluate({ ...deps, at, now, mode });
    if (values.json) console.log(JSON.stringify(summary, null, 2));
    else {
      console.log(
        `as of ${summary.asOf}: ${summary.byStatus.connected ?? 0}/${summary.units} units fully connected`,
      );
      console.log(
        `  ${Object.entries(summary.byStatus)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')}`,
      );
      console.log(
        `  ${summary.transitions} status change(s), ${summary.alertsSent} alert(s) sent, ${summary.snapshotObjects} objects published`,
      );
      for (const failure of summary.failures)
        console.log(`  not evaluated: ${failure.unitCode}: ${failure.reason}`);
      const { asOfPath } = await import('../shared/adapters/s3-snapshot-publisher.ts');
      const published = mode === 'asOf' ? `${asOfPath(summary.asOf)}latest.json` : 'snapshots/latest.json';
      console.log(`  ${target.url}/${published}`);
    }
    return;
  }
  if (command === 'simulate') {
    const { simulateAgainst } = await import('./simulate/run.ts');
    const { DEFAULT_SEED, simulationSize, SimulationSizeError } = await import('../simulator/simulate.ts');
    const size = (() => {
      try {
        return simulationSize(values.scale, values.dossiers, values.days);
      } catch (error) {
        throw error instanceof SimulationSizeError ? new CliError(error.message) : error;
      }
    })();
    const { readScenario, recordScenario } = await import('../simulator/scenario-record.ts');
    const recorded = target.dataDir ? readScenario(target.dataDir) : null;
    const explicit = [values.seed, values.scale, values.dossiers, values.days].some((v) => v !== undefined);
    const scenario =
      recorded && !explicit
        ? {
            seed: recorded.seed,
            dossiers: recorded.dossiers,
            days: recorded.days,
            now: Date.parse(recorded.now),
          }
        : { seed: Number(values.seed ?? DEFAULT_SEED), ...size, now: clock() };
    if (recorded && !explicit)
      console.log(
        `this stack already holds the scenario sent at ${recorded.now} (seed ${recorded.seed}): sending it again, and each event is counted once`,
      );
    else if (recorded)
      console.log(
        `warning: this stack already holds the scenario sent at ${recorded.now}; its figures add to this run's, so the ground truth below holds only for an empty stack (EMC_DATA_DIR=.emc-empty npm start -- --empty)`,
      );
    const truth = await simulateAgainst(target, { ...scenario, progress: bar });
    if (target.dataDir)
      recordScenario(target.dataDir, { ...scenario, now: new Date(scenario.now).toISOString() });
    const out = values.out ?? `${process.env[ENV.dataDir] ?? '.emc'}/ground-truth.json`;
    writeFileSync(out, JSON.stringify(truth, null, 2));
    console.log(
      `sent ${truth.sent.events} events (${truth.sent.duplicates} resent, ${truth.sent.legacy} through the legacy feed) in ${truth.sent.requests} requests`,
    );
    console.log(
      `expected: ${truth.connected}/${truth.registered} units fully connected, national online rate ${((truth.national.onlineRate ?? 0) * 100).toFixed(1)}%`,
    );
    console.log(`ground truth: ${out}`);
    return;
  }
  if (command === 'reconcile') {
    if (!sub) throw new CliError('reconcile needs a unit code: emc reconcile H48');
    const { reconcileUnit } = await import('./commands.ts');
    const { reconciliationCsv } = await import('../shared/domain/operations/reconciliation.ts');
    const rows = await reconcileUnit(target, sub, values.from, values.to);
    if (values.csv) process.stdout.write(reconciliationCsv(rows));
    else if (values.json) console.log(JSON.stringify(rows, null, 2));
    else {
      for (const r of rows) {
        const mark = r.withinTolerance === null ? 'no report' : r.withinTolerance ? 'ok' : 'DIFFERS';
        console.log(
          `${r.date}  ${r.figure.padEnd(15)} reported ${String(r.reported ?? '—').padStart(7)}  counted ${String(r.counted).padStart(7)}  ${mark}`,
        );
      }
    }
    return;
  }
  if (command === 'alerts') {
    const { alertsCommand } = await import('./alerts.ts');
    const result = await alertsCommand(target, sub, positionals[2], clock());
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else if (Array.isArray(result))
      console.log(
        result.length === 0
          ? 'No alert is held.'
          : result
              .map(
                (h) =>
                  `${h.holdId}: ${h.alerts.length} alert(s), ${h.alerts.map((a) => a.unitCode).join(' ')}`,
              )
              .join('\n'),
      );
    else
      console.log(
        `${result.holdId}: ${result.alerts} alert(s) ${result.action === 'release' ? `released, ${result.sent} sent` : 'dropped'}`,
      );
    return;
  }
  if (command === 'dlq') {
    const { dlqCommand } = await import('./commands.ts');
    await dlqCommand(target, sub, values);
    return;
  }
  if (command === 'archive') {
    if (sub !== 'compact')
      throw new CliError('archive needs a subcommand: emc archive compact [--day YYYY-MM-DD]');
    const { archiveCompactCommand } = await import('./commands.ts');
    await archiveCompactCommand(target, values);
    return;
  }
  if (command === 'rebuild') {
    if (!sub)
      throw new CliError('rebuild needs a unit code: emc rebuild H48 --from 2025-07-01 --to 2025-07-31');
    const { rebuildCommand } = await import('./commands.ts');
    await rebuildCommand(target, sub, values);
    return;
  }
  if (command === 'doctor') {
    const { doctor } = await import('./doctor.ts');
    const reports = await doctor(target, positionals.slice(1), clock());
    if (values.json) console.log(JSON.stringify(reports, null, 2));
    else if (reports.length === 0) console.log('Every unit is fully connected as of the last evaluation.');
    else console.log(reports.map((r) => `${r.summary.vi}\n\n${r.summary.en}`).join('\n\n---\n\n'));
    return;
  }
  if (command === 'dossiers') {
    const { dossiersCommand } = await import('./dossiers.ts');
    await dossiersCommand(target, sub, positionals.slice(2), values);
    return;
  }
  if (command === 'status') {
    const { status } = await import('./status.ts');
    const report = await status(target);
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      for (const [feed, q] of Object.entries(report.queues))
        console.log(`${feed.padEnd(15)} queued ${q.visible}, in flight ${q.inFlight}, DLQ ${q.dlq}`);
      console.log(
        `last snapshot   ${report.snapshot.generatedAt ?? 'none yet'}${report.snapshot.ageSeconds === null ? '' : ` (${report.snapshot.ageSeconds} s ago)`}`,
      );
      if (report.snapshot.connected !== null)
        console.log(`connected       ${report.snapshot.connected}/${report.snapshot.registered}`);
      for (const failure of report.snapshot.failures)
        console.log(`not evaluated   ${failure.unitCode}: ${failure.reason}`);
    }
    return;
  }
  throw new CliError(`Unknown command: ${positionals.join(' ')}. Try: emc --help`);
}

main(process.argv.slice(2)).then(
  () => exitAfterFlush(0),
  (error: unknown) => {
    if (error instanceof HelpShown) return exitAfterFlush(0);
    const refused = error instanceof CliError || error instanceof OperationRefusedError;
    console.error(refused ? error.message : error);
    exitAfterFlush(refused ? 2 : 1);
  },
);
