import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDossierStore } from '../shared/adapters/dynamo-dossier-store.ts';
import { DynamoEvaluationReader } from '../shared/adapters/dynamo-evaluation-reader.ts';
import { DynamoFailureLog, type StoredSetAsideEvent } from '../shared/adapters/dynamo-failure-log.ts';
import { DynamoKeyStore } from '../shared/adapters/dynamo-key-store.ts';
import { DynamoRebuildStore } from '../shared/adapters/dynamo-rebuild-store.ts';
import { DynamoRegistry } from '../shared/adapters/dynamo-registry.ts';
import { FileRebuildCheckpoints } from '../shared/adapters/file-rebuild-checkpoints.ts';
import { S3Archive } from '../shared/adapters/s3-archive.ts';
import { SqsDeadLetterQueue } from '../shared/adapters/sqs-dead-letter-queue.ts';
import { compactArchive } from '../shared/app/compact-archive.ts';
import { DeadLetterQueue } from '../shared/app/dlq.ts';
import { rebuild } from '../shared/app/rebuild.ts';
import { reconcileUnit as reconcile } from '../shared/app/reconcile.ts';
import * as units from '../shared/app/units.ts';
import { ENV } from '../shared/config/env-names.ts';
import { settings } from '../shared/config/settings.ts';
import type { ReconciliationRow } from '../shared/domain/operations/reconciliation.ts';
import { reorganisationSchema } from '../shared/domain/registry/reorganisation.ts';
import { addDays, dayOf } from '../shared/domain/time.ts';
import {
  type SenderProfileName,
  senderProfileNames,
  senderProfileSchema,
} from '../shared/schemas/legacy-emc.ts';
import { unitKinds } from '../shared/schemas/registry.ts';
import { topology } from '../shared/topology.ts';
import { CliError, type Target } from './context.ts';
import { bar } from './progress.ts';
import { describe, parsePart } from './units.ts';

export interface Flags {
  json?: boolean;
  day?: string;
  at?: string;
  name?: string;
  kind?: string;
  systems?: string;
  on?: string;
  into?: string[];
  reason?: string;
  feed?: string;
  ids?: string;
  all?: boolean;
  save?: string;
  limit?: string;
  swap?: boolean;
  widen?: boolean;
  from?: string;
  to?: string;
  'lookback-days'?: string;
  'hold-seconds'?: string;
  sender?: string;
  'set-aside'?: boolean;
}

/** `--sender <profile>`: one of the legacy sender profiles, or undefined when the flag is not given. */
export function senderFlag(text: string | undefined): SenderProfileName | undefined {
  if (text === undefined) return undefined;
  const parsed = senderProfileSchema.safeParse(text);
  if (!parsed.success)
    throw new CliError(`--sender ${text} is not a sender profile; use ${senderProfileNames.join(' | ')}.`);
  return parsed.data;
}

const today = (clock: () => number): string => dayOf(clock(), settings().time.utcOffsetMinutes);

function day(text: string | undefined, flag: string, clock: () => number): string {
  const value = text ?? today(clock);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new CliError(`${flag} must be a date: YYYY-MM-DD`);
  return value;
}

function parseCsvUnits(text: string): unknown[] {
  const [header, ...lines] = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim());
  const names = (header ?? '').split(',').map((name) => name.trim());
  return lines.map((line) => {
    const cells = line.split(',').map((cell) => cell.trim());
    const { sender, ...row } = Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
    return { ...row, systems: (row.systems ?? '').split(';').filter(Boolean), ...(sender ? { sender } : {}) };
  });
}

export async function unitsCommand(target: Target, sub: string, args: string[], flags: Flags): Promise<void> {
  const ops: units.UnitOps = {
    registry: new DynamoRegistry(target.tables.state),
    keys: new DynamoKeyStore(target.tables.keys),
    now: target.clock,
    progress: bar,
  };
  const [code] = args;
  const need = (what: string): string => {
    if (!code) throw new CliError(`units ${sub} needs ${what}. See: emc units --help`);
    return code;
  };
  const show = (changed: { unitCode: string }[]): void => {
    for (const unit of changed) console.log(`updated ${unit.unitCode}`);
    if (changed.length === 0) console.log('nothing to change: already done');
  };
  switch (sub) {
    case 'import': {
      const file = need('a file: emc units import units.json');
      const text = readFileSync(file, 'utf8');
      const rows = file.endsWith('.csv') ? parseCsvUnits(text) : (JSON.parse(text) as unknown[]);
      if (!Array.isArray(rows)) throw new CliError(`${file} must hold an array of units`);
      const sender = senderFlag(flags.sender);
      const withSender = sender
        ? rows.map((row: unknown) =>
            typeof row === 'object' && row !== null && !('sender' in row) ? { ...row, sender } : row,
          )
        : rows;
      console.log(`imported ${await units.importUnits(ops, withSender)} unit(s)`);
      return;
    }
    case 'list': {
      const on = day(flags.at, '--at', target.clock);
      const all = await ops.registry.listUnits();
      if (flags.json) console.log(JSON.stringify(all, null, 2));
      else for (const unit of all) console.log(describe(unit, on));
      return;
    }
    case 'add': {
      if (!flags.name || !flags.kind || !(unitKinds as readonly string[]).includes(flags.kind))
        throw new CliError(`units add needs --name and --kind (${unitKinds.join(' | ')})`);
      const added = await units.addUnit(
        ops,
        {
          unitCode: need('a unit code'),
          name: flags.name,
          kind: flags.kind as (typeof unitKinds)[number],
          systems: (flags.systems ?? '').split(',').filter(Boolean),
          ...(flags.sender === undefined ? {} : { sender: senderFlag(flags.sender) }),
        },
        day(flags.on, '--on', target.clock),
      );
      console.log(`added ${added.unitCode} from ${added.createdOn}`);
      return;
    }
    case 'rename':
      if (!flags.name) throw new CliError('units rename needs --name');
      show([await units.rename(ops, need('a unit code'), flags.name, day(flags.on, '--on', target.clock))]);
      return;
    case 'pause':
    case 'resume':
      show([await units.pause(ops, need('a unit code'), sub === 'pause', flags.reason)]);
      return;
    case 'retire':
      show([await units.retire(ops, need('a unit code'), day(flags.on, '--on', target.clock))]);
      return;
    case 'merge': {
      const into = flags.into?.[0];
      if (!into || flags.into?.length !== 1 || args.length === 0)
        throw new CliError(
          'units merge needs one --into and the units merged: emc units merge --into H44 H25 H26',
        );
      show(await units.merge(ops, into, args, day(flags.on, '--on', target.clock)));
      return;
    }
    case 'split': {
      if (!flags.into || flags.into.length < 2)
        throw new CliError('units split needs two or more --into parts: --into H61=<agencies> --into H62');
      show(
        await units.split(
          ops,
          need('the unit split'),
          flags.into.map(parsePart),
          day(flags.on, '--on', target.clock),
        ),
      );
      return;
    }
    case 'apply': {
      const file = need('a reorganisation file');
      const parsed = reorganisationSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success)
        throw new CliError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
      const report = await units.applyPlan(ops, parsed.data);
      for (const label of report.applied) console.log(`applied       ${label}`);
      for (const label of report.alreadyDone) console.log(`already done  ${label}`);
      return;
    }
    case 'history': {
      const unit = await ops.registry.getUnit(need('a unit code'));
      if (!unit) throw new CliError(`Unit ${code} is not registered.`);
      if (flags.json) console.log(JSON.stringify(unit.history, null, 2));
      else
        for (const entry of unit.history)
          console.log(`${entry.at}\t${entry.on ?? ''}\t${entry.action}\t${entry.detail}`);
      return;
    }
    default:
      throw new CliError(`Unknown units command: ${sub}. See: emc units --help`);
  }
}

/** The named feed's dead-letter use case against the target's queues. */
export function deadLetterQueue(
  target: Target,
  feed: string,
  failures?: ConstructorParameters<typeof DeadLetterQueue>[2],
): DeadLetterQueue {
  const urls = target.queues[feed];
  if (!urls) throw new CliError(`No queue ${feed}; the queues are ${Object.keys(target.queues).join(', ')}.`);
  return new DeadLetterQueue(new SqsDeadLetterQueue(urls, target.kind === 'aws' ? 2 : 0), feed, failures);
}

export async function dlqCommand(target: Target, sub: string, flags: Flags): Promise<void> {
  const failureLog = new DynamoFailureLog(target.tables.state);
  const dlq = deadLetterQueue(target, flags.feed ?? 'dossier-events', failureLog);
  const ids = new Set((flags.ids ?? '').split(',').filter(Boolean));
  const selected = (letter: { messageId: string }) => flags.all === true || ids.has(letter.messageId);
  switch (sub) {
    case 'inspect': {
      if (flags['set-aside']) {
        printSetAside(await failureLog.setAsideEvents('dossier-events', Number(flags.limit ?? 100)), flags);
        return;
      }
      const letters = await dlq.inspect(Number(flags.limit ?? 100));
      if (flags.save) {
        mkdirSync(flags.save, { recursive: true });
        for (const letter of letters)
          writeFileSync(join(flags.save, `${letter.messageId}.json`), letter.body);
      }
      if (flags.json)
        console.log(
          JSON.stringify(
            letters.map(({ body: _body, ...rest }) => rest),
            null,
            2,
          ),
        );
      else {
        for (const l of letters)
          console.log(
            `${l.messageId}\t${l.unitCode ?? '?'}\t${l.events ?? '-'} event(s)\treceived ${l.receiveCount}×\t${l.valid ? 'valid' : 'INVALID'}\t${l.reason}`,
          );
        console.log(`${letters.length} dead letter(s) in ${dlq.feed}`);
        if (dlq.feed === 'dossier-events')
          printSetAside(await failureLog.setAsideEvents('dossier-events', Number(flags.limit ?? 100)), flags);
      }
      return;
    }
    case 'redrive': {
      if (!flags.all && ids.size === 0) throw new CliError('dlq redrive needs --all or --ids id1,id2');
      const outcome = await dlq.redrive(selected, (done) => bar(done, flags.all ? done : ids.size));
      console.log(`redriven ${outcome.redriven.length}, left ${outcome.left}`);
      for (const id of outcome.stillInvalid) console.log(`kept ${id}: it still breaks the queue contract`);
      return;
    }
    case 'discard': {
      if (ids.size === 0) throw new CliError('dlq discard needs --ids id1,id2');
      const deleted = await dlq.discard(selected);
      console.log(`discarded ${deleted.length}`);
      return;
    }
    default:
      throw new CliError(`Unknown dlq command: ${sub}. See: emc dlq --help`);
  }
}

/**
 * Events a worker set aside because the queue contract refused them, while it counted the rest of their
 * message: each with its message, position, unit and reason, and the event itself in JSON.
 */
function printSetAside(events: readonly StoredSetAsideEvent[], flags: Flags): void {
  if (flags.json) {
    console.log(JSON.stringify(events, null, 2));
    return;
  }
  for (const e of events)
    console.log(
      `set aside\t${e.messageId}[${e.index}]\t${e.unitCode}\t${e.eventId ?? '?'}\t${new Date(e.at).toISOString()}\t${e.reason}`,
    );
  console.log(`${events.length} event(s) set aside in dossier-events in the last 14 days`);
}

/** `emc archive compact`: what the daily compaction does, for one named day or the closed days of its lookback. */
export async function archiveCompactCommand(target: Target, flags: Flags): Promise<void> {
  const only = flags.day === undefined ? undefined : day(flags.day, '--day', target.clock);
  const report = await compactArchive(new S3Archive(target.bucket), target.clock(), {
    day: only,
    lookbackDays: topology.compaction.lookbackDays,
  });
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const written = report.unitDays.filter((unitDay) => unitDay.written);
  for (const unitDay of written)
    console.log(
      `${unitDay.day}\t${unitDay.unitCode}\t${unitDay.inputs} object(s) → 1\t${unitDay.linesWritten} event(s)\t${unitDay.linesRead - unitDay.linesWritten} duplicate(s) dropped`,
    );
  console.log(
    `${written.length} unit-day(s) compacted over ${report.days[0]}…${report.days.at(-1)}; ${report.unitDays.length - written.length} already one object or empty`,
  );
}

export async function rebuildCommand(target: Target, unitCode: string, flags: Flags): Promise<void> {
  const from = day(flags.from, '--from', target.clock);
  const to = day(flags.to ?? flags.from, '--to', target.clock);
  if (from > to) throw new CliError('--from must not be after --to');
  const config = settings();
  const dossiers = new DynamoDossierStore(target.tables.state);
  const report = await rebuild(
    {
      archive: new S3Archive(target.bucket),
      store: new DynamoRebuildStore(target.tables.state, dossiers),
      checkpoints: new FileRebuildCheckpoints(process.env[ENV.dataDir] ?? '.emc'),
      rules: config.dossier,
      dayOf: (ms) => dayOf(ms, config.time.utcOffsetMinutes),
      now: target.clock,
      progress: bar,
    },
    {
      unitCode,
      from,
      to,
      swap: flags.swap === true,
      widen: flags.widen === true,
      lookbackDays: Number(flags['lookback-days'] ?? config.ingest.retentionDays),
      holdSeconds: Number(flags['hold-seconds'] ?? 900),
    },
  );
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(
    `${unitCode} ${report.months[0]}…${report.months.at(-1)}: ${report.archiveObjects} archive object(s), ${report.dossiers} dossier(s)`,
  );
  for (const d of report.differences)
    console.log(
      `  ${d.period}\t${d.agencyCode ?? d.procedureCode ?? 'unit'}\t${d.counter.padEnd(20)} live ${String(d.live).padStart(7)}  rebuilt ${String(d.rebuilt).padStart(7)}`,
    );
  console.log(
    `${report.differences.length} figure(s) differ; ${report.dossierStatesToReplace} dossier state(s) differ from the archive`,
  );
  if (report.widenedFrom)
    console.log(
      `widened from ${report.widenedFrom.from}…${report.widenedFrom.to} to cover every month the dossiers count in`,
    );
  if (report.statesTouchingOtherMonths > 0)
    console.log(
      `warning: ${report.statesTouchingOtherMonths} of those dossiers also count in ${report.monthsOutsideRange.join(', ')}, outside the range; a swap needs a range covering them, or --widen`,
    );
  console.log(
    report.swapped
      ? `swapped: ${report.itemsWritten} item(s) written`
      : 'compared only; run again with --swap to replace the live figures',
  );
}

/** The đối soát rows of a unit: each day (default the last 7 full days) and figure, reported against counted. */
export async function reconcileUnit(
  target: Target,
  unitCode: string,
  fromFlag: string | undefined,
  toFlag: string | undefined,
): Promise<ReconciliationRow[]> {
  const config = settings();
  const to = day(toFlag ?? addDays(today(target.clock), -1), '--to', target.clock);
  const from = day(fromFlag ?? addDays(to, -6), '--from', target.clock);
  if (from > to) throw new CliError('--from must not be after --to');
  const days: string[] = [];
  for (let d = from; d <= to && days.length < 400; d = addDays(d, 1)) days.push(d);
  const deps = {
    reader: new DynamoEvaluationReader(target.tables.state, new DynamoDossierStore(target.tables.state)),
    registry: new DynamoRegistry(target.tables.state),
    tolerance: config.compliance.reconciliation.tolerance,
  };
  return reconcile(deps, unitCode, days, target.clock());
}
