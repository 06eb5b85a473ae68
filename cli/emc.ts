#!/usr/bin/env -S npx tsx
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, connect, type Target } from './context.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP: Record<string, string> = {
  '': `emc: operate the EMC monitoring pipeline.

Works against the running local stack (found through EMC_DATA_DIR, default ./.emc) or, with --aws,
against a deployed stack (its CDK outputs file: EMC_OUTPUTS, default ./cdk-outputs.json).

  emc units import <file.json|file.csv>   add or update units
  emc units list [--json]                 the registry
  emc keys issue <unitCode>               print a new API key (shown only this once)
  emc keys list <unitCode> [--json]       a unit's keys: prefix, status, created
  emc keys revoke <keyPrefix>             revoke a key (401 within the key cache time)
  emc evaluate [--at <ISO time>] [--json] evaluate and publish now
  emc simulate [--seed N] [--dossiers N] [--days N] [--out truth.json]
                                          send deterministic demo traffic through the API
  emc status [--json]                     queue depths, DLQ counts, snapshot age
  emc reconcile <unitCode> [--from D] [--to D] [--json|--csv]
                                          reported daily totals against counted figures (đối soát)

Every command takes --help.`,
  units: `emc units import <file.json|file.csv>
  JSON: an array of { "unitCode", "name", "kind" ("ministry" | "province" | "sector" | "other"),
        "systems": [systemId…], "targets"?, "paused"?, "maintenance"?, "agencies"? }
  CSV:  a header row with unitCode,name,kind,systems (systems separated by ";").
emc units list [--json]`,
  keys: `emc keys issue <unitCode>     prints the key alone on stdout; store it now, it is never shown again
emc keys list <unitCode> [--json]
emc keys revoke <keyPrefix>   the 12-character prefix, as "keys list" shows it`,
  evaluate: `emc evaluate [--at <ISO time>] [--json]
  Evaluates every unit and publishes the snapshots now. --at evaluates as of that time.`,
  simulate: `emc simulate [--seed 2024] [--dossiers 20000] [--days 14] [--out .emc/ground-truth.json]
  Imports the 83-unit demo registry if needed, issues a key per unit, and sends heartbeats, catalogues,
  dossier events (some through the legacy TrackingMCDT feed) and daily totals through the HTTP API.
  By default 16 of 83 units are left not fully connected, for a mix of reasons. Writes the ground truth.`,
  reconcile: `emc reconcile <unitCode> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json | --csv]
  For each day (default: the last 7 days) and figure (received, receivedOnline, resolved, resolvedOnTime),
  what the unit reported through POST /v1/daily-totals against what the pipeline counted, with the
  difference and whether it is within the configured tolerance. A day with no report shows an empty value.`,
  status: `emc status [--json]
  Queue depths, DLQ counts, the last evaluation and the snapshot age.`,
};

function usage(topic: string): never {
  console.log(HELP[topic] ?? HELP['']);
  process.exit(0);
}

function bar(done: number, total: number): void {
  if (!process.stderr.isTTY && done !== total && done % Math.max(1, Math.floor(total / 10)) !== 0) return;
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const line = `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
}

function parseCsvUnits(text: string): unknown[] {
  const [header, ...lines] = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim());
  const names = (header ?? '').split(',').map((name) => name.trim());
  return lines.map((line) => {
    const cells = line.split(',').map((cell) => cell.trim());
    const row = Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
    return { ...row, systems: (row.systems ?? '').split(';').filter(Boolean) };
  });
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
      seed: { type: 'string' },
      dossiers: { type: 'string' },
      days: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      csv: { type: 'boolean' },
    },
  });
  const [command = '', sub = '', arg] = positionals;
  if (values.help || command === '' || command === 'help') usage(command === 'help' ? sub : command);
  const target: Target = connect(values.aws ?? false);
  const { DynamoRegistry } = await import('../shared/adapters/dynamo-registry.ts');
  const registry = new DynamoRegistry(target.tables.state);

  if (command === 'units' && sub === 'import') {
    if (!arg) throw new CliError('units import needs a file: emc units import units.json');
    const text = readFileSync(arg, 'utf8');
    const rows = arg.endsWith('.csv') ? parseCsvUnits(text) : (JSON.parse(text) as unknown[]);
    if (!Array.isArray(rows)) throw new CliError(`${arg} must hold an array of units`);
    const { unitSchema } = await import('../shared/schemas/registry.ts');
    const problems = rows.flatMap((row, index) => {
      const parsed = unitSchema.safeParse(row);
      return parsed.success
        ? []
        : parsed.error.issues.map((issue) => `row ${index}: ${issue.path.join('.')}: ${issue.message}`);
    });
    if (problems.length > 0) throw new CliError(`Nothing imported:\n${problems.join('\n')}`);
    for (const row of rows) await registry.putUnit(unitSchema.parse(row));
    console.log(`imported ${rows.length} unit(s)`);
    return;
  }
  if (command === 'units' && sub === 'list') {
    const units = await registry.listUnits();
    if (values.json) console.log(JSON.stringify(units, null, 2));
    else
      for (const u of units)
        console.log(`${u.unitCode}\t${u.kind}\t${u.status}${u.paused ? ' (paused)' : ''}\t${u.name}`);
    return;
  }
  if (command === 'keys') {
    const { DynamoKeyStore } = await import('../shared/adapters/key-store.ts');
    const store = new DynamoKeyStore(target.tables.keys);
    if (sub === 'issue') {
      if (!arg) throw new CliError('keys issue needs a unit code: emc keys issue H01');
      const units = await registry.listUnits();
      if (!units.some((u) => u.unitCode === arg))
        throw new CliError(`Unit ${arg} is not registered; import it first.`);
      const { loadKeyPepper } = await import('../shared/adapters/key-pepper.ts');
      const { issueKey } = await import('../shared/domain/auth/api-keys.ts');
      const { key, record } = issueKey(await loadKeyPepper(), arg, Date.now());
      await store.put(record);
      console.log(key);
      return;
    }
    if (sub === 'list') {
      if (!arg) throw new CliError('keys list needs a unit code');
      const keys = (await store.listForUnit(arg)).map(({ hash: _hash, ...rest }) => rest);
      if (values.json) console.log(JSON.stringify(keys, null, 2));
      else
        for (const k of keys)
          console.log(`${k.prefix}\t${k.status}\tcreated ${new Date(k.createdAt).toISOString()}`);
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
    const at = values.at === undefined ? Date.now() : Date.parse(values.at);
    if (Number.isNaN(at)) throw new CliError(`--at ${values.at} is not an ISO-8601 time`);
    const { evaluate } = await import('../shared/domain/evaluation/evaluate.ts');
    const { evaluationDeps } = await import('../shared/lambda/evaluation-wiring.ts');
    const { LocalAlertPublisher } = await import('../shared/adapters/alerts.ts');
    const deps = evaluationDeps(
      { STATE_TABLE: target.tables.state, SNAPSHOT_BUCKET: target.bucket },
      (s3) => new LocalAlertPublisher(s3, target.bucket, (alert) => console.error(`alert: ${alert.subject}`)),
    );
    const summary = await evaluate({ ...deps, at, now: Date.now() });
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
      console.log(`  ${target.url}/snapshots/latest.json`);
    }
    return;
  }
  if (command === 'simulate') {
    const { simulateAgainst } = await import('./simulate/run.ts');
    const truth = await simulateAgainst(target, {
      seed: Number(values.seed ?? 2024),
      dossiers: Number(values.dossiers ?? 20_000),
      days: Number(values.days ?? 14),
      now: Date.now(),
      progress: bar,
    });
    const out = values.out ?? `${process.env.EMC_DATA_DIR ?? '.emc'}/ground-truth.json`;
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
    const { settings } = await import('../shared/config/settings.ts');
    const { addDays, dayOf } = await import('../shared/domain/time.ts');
    const { reconcile, reconciliationCsv } = await import('../shared/domain/operations/reconciliation.ts');
    const { DynamoDossierStore } = await import('../shared/adapters/dynamo-dossier-store.ts');
    const { DynamoEvaluationReader } = await import('../shared/adapters/dynamo-evaluation-reader.ts');
    const config = settings();
    const today = dayOf(Date.now(), config.time.utcOffsetMinutes);
    const to = values.to ?? addDays(today, -1);
    const from = values.from ?? addDays(to, -6);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) {
      throw new CliError('--from and --to must be dates (YYYY-MM-DD), --from not after --to');
    }
    const days: string[] = [];
    for (let day = from; day <= to && days.length < 400; day = addDays(day, 1)) days.push(day);
    const reader = new DynamoEvaluationReader(
      target.tables.state,
      new DynamoDossierStore(target.tables.state),
    );
    const data = await reader.readUnit(sub, {
      asOf: Date.now(),
      unitDays: days,
      unitMonths: [],
      agencyDays: [],
      agencyMonths: [],
      year: to.slice(0, 4),
      totalsFrom: from,
      totalsTo: to,
    });
    const rows = reconcile(
      sub,
      days,
      data.dailyTotals,
      data.unitDays,
      config.compliance.reconciliation.tolerance,
    );
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
    }
    return;
  }
  throw new CliError(`Unknown command: ${positionals.join(' ')}. Try: emc --help`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof CliError ? error.message : error);
    process.exit(error instanceof CliError ? 2 : 1);
  },
);
