// Pipeline routes (admin only): run history, one run with its files, rejected rows, trigger a run,
// poll its progress, upload a file into the inbox (optionally through a column mapping), list mappings.
import fs from 'node:fs';
import path from 'node:path';
import { hasTable } from '../../../context.ts';
import { pipeline as pump } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { defaultMappingsDir } from '../../../../../pipeline/src/config.ts';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../../../errors.ts';
import { listRoute } from '../../../list-route.ts';
import { readOne, readRows } from '../../../rows.ts';
import { Int, Row, Str, errors } from '../../../schemas.ts';
import { unsafeNameReason } from '../../../upload-name.ts';
import { configuredMappings, describeMapping, uploadTarget, type UploadTarget } from './upload-target.ts';

const ADMIN_ONLY = { roles: ['admin'] as const };

const RunRow = Row({
  run_id: Type.Integer(), started_at: Str(), finished_at: Str(), as_of: Str(), trigger: Str(), status: Str(), error: Str(),
});
const RUNS_SQL = `select run_id::int as run_id, started_at, finished_at, strftime(as_of::date, '%Y-%m-%d') as as_of,
  trigger, status, error from runs`;

const FileRow = Row({
  file: Type.String(), dataset: Str(), sha256: Str(), status: Str(), rows_read: Int(), rows_loaded: Int(),
  rows_rejected: Int(), rows_warned: Int(), reason: Str(), mapping: Type.Optional(Str()),
});

const RejectRow = Row({
  run_id: Type.Integer(), file: Str(), dataset: Str(), line: Int(), column: Str(), value: Str(), reason: Str(), severity: Str(),
});

const RejectKindRow = Row({
  run_id: Type.Integer(), file: Str(), dataset: Str(), column: Str(), severity: Str(), problem: Str(),
  n_rows: Type.Integer(), first_line: Int(), example: Str(),
});

/**
 * The rejects of each run by kind: per file, dataset, column and severity, the reason with its quoted values
 * blanked (`hire_date "…" is not a valid date (expected YYYY-MM-DD)`), how many rows, the first line and one
 * reason in full. Thousands of rejected rows read as a few kinds, and the rows of other files that lost
 * their owner (`employee_id "…" is not in employees`) show as one line beside the rejects that caused them.
 */
const REJECT_KINDS_SQL = `select run_id::int as run_id, file, dataset, "column", severity,
    regexp_replace(reason, '"[^"]*"', '"…"', 'g') as problem,
    count(*)::int as n_rows, min(line)::int as first_line, arg_min(reason, coalesce(line, 0)) as example
  from rejects group by all`;

const Progress = Type.Object({
  running: Type.Boolean(),
  runId: Int(),
  status: Str(),
  startedAt: Str(),
  finishedAt: Str(),
  error: Str(),
  outcome: Str(),
  notes: Type.Array(Type.String(), { description: "what the run said besides its status, once it ended (as `trellis run` prints them)" }),
  progress: Type.Union([Type.Null(), Type.Object({
    runId: Int(), phase: Type.String(), dataset: Type.Optional(Type.String()), model: Type.Optional(Type.String()),
    done: Type.Optional(Type.Number()), total: Type.Optional(Type.Number()), message: Type.Optional(Type.String()),
  })]),
});

const ISO_DATE = '^\\d{4}-\\d{2}-\\d{2}$';

const MappingRow = Type.Object({
  file: Type.String(), name: Type.String(), description: Str(), patterns: Type.Array(Type.String()), datasets: Type.Array(Type.String()),
});

/** The mappings folder: configured, else `mappings` beside the inbox (as the run does). */
const mappingsDirOf = (config: { inbox: string; mappingsDir?: string }) => config.mappingsDir ?? defaultMappingsDir(config.inbox);

export default async function pipelineRoutes(app: FastifyInstance) {
  listRoute(app, '/runs', {
    summary: 'Pipeline runs, newest first',
    tags: ['pipeline'],
    requires: ['runs'],
    row: RunRow,
    config: ADMIN_ONLY,
    spec: {
      base: RUNS_SQL,
      filters: { status: { column: 'status' }, trigger: { column: 'trigger' } },
      sorts: ['run_id', 'started_at', 'status'],
      defaultSort: 'run_id',
      defaultOrder: 'desc',
      tieBreak: ['run_id'],
      scopeColumn: null,
    },
  });

  app.get('/runs/:id', {
    schema: {
      summary: 'One run with its per-file results and its notes',
      tags: ['pipeline'],
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 200: Type.Object({ run: RunRow, files: Type.Array(FileRow), notes: Type.Array(Type.String()) }), ...errors },
    },
    config: ADMIN_ONLY,
  }, async (request) => {
    const { id } = request.params as { id: number };
    const answer = await app.reads.use(async (conn) => {
      if (!(await hasTable(conn, 'runs'))) return null;
      const run = await readOne(conn, `${RUNS_SQL} where run_id = $id`, { id });
      if (!run) return null;
      const files = await readRows(conn, `select file, dataset, sha256, status, rows_read::int as rows_read, rows_loaded::int as rows_loaded,
        rows_rejected::int as rows_rejected, rows_warned::int as rows_warned, reason, mapping
        from run_files where run_id = $id order by file, dataset`, { id });
      // run_notes comes with runs (the migrations, applied when the database opens)
      const notes = (await readRows(conn, 'select note from run_notes where run_id = $id order by position', { id })).map((r) => String(r.note));
      return { run, files, notes };
    });
    if (!answer) throw new NotFoundError(`No pipeline run ${id}`);
    return answer;
  });

  listRoute(app, '/rejects', {
    summary: 'Rejected rows and warnings (filter by run, file, dataset, severity)',
    tags: ['pipeline'],
    requires: ['rejects'],
    row: RejectRow,
    config: ADMIN_ONLY,
    spec: {
      base: `select run_id::int as run_id, file, dataset, line::int as line, "column", value, reason, severity from rejects`,
      filters: {
        run: { column: 'run_id', kind: 'int', description: 'run id' },
        file: { column: 'file', description: 'file name' },
        dataset: { column: 'dataset', description: 'dataset (a mapped file may feed several)' },
        severity: { column: 'severity', description: 'reject | warning' },
      },
      sorts: ['run_id', 'file', 'dataset', 'line', 'column', 'severity'],
      defaultSort: 'run_id',
      defaultOrder: 'desc',
      tieBreak: ['file', 'dataset', 'line', 'column'],
      scopeColumn: null,
    },
  });

  listRoute(app, '/rejects/kinds', {
    summary: 'Rejected rows and warnings by kind: per file, column and reason (its values blanked), how many rows',
    tags: ['pipeline'],
    requires: ['rejects'],
    row: RejectKindRow,
    config: ADMIN_ONLY,
    spec: {
      base: REJECT_KINDS_SQL,
      filters: {
        run: { column: 'run_id', kind: 'int', description: 'run id' },
        file: { column: 'file', description: 'file name' },
        severity: { column: 'severity', description: 'reject | warning' },
      },
      sorts: ['run_id', 'n_rows', 'file', 'first_line'],
      defaultSort: 'n_rows',
      defaultOrder: 'desc',
      tieBreak: ['run_id', 'file', 'dataset', 'column', 'severity', 'problem'],
      scopeColumn: null,
    },
  });

  app.post('/runs', {
    schema: {
      summary: 'Start a pipeline run on the inbox now (202), or 409 while one is running',
      tags: ['pipeline'],
      body: Type.Optional(Type.Object({ asOf: Type.Optional(Type.String({ pattern: ISO_DATE })) }, { additionalProperties: false })),
      response: { 202: Type.Object({ runId: Int(), status: Str() }), 409: errors[400], ...errors },
    },
    config: ADMIN_ONLY,
  }, async (request, reply) => {
    const body = (request.body ?? {}) as { asOf?: string };
    const config = app.trellisConfig;
    const asOf = body.asOf ?? config.asOf ?? new Date().toISOString().slice(0, 10);
    if (Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)) || new Date(`${asOf}T00:00:00Z`).toISOString().slice(0, 10) !== asOf) {
      throw new BadRequestError(`asOf "${asOf}" is not an existing date (YYYY-MM-DD)`);
    }
    const { runId } = await app.pipelineRunner.start(app.db, {
      inbox: config.inbox, mappingsDir: config.mappingsDir, asOf, historyMonths: config.historyMonths, trigger: 'api', maxRejectsPerFile: config.maxRejectsPerFile,
      mappingLimits: config, settings: config,
    });
    return reply.status(202).send({ runId, status: app.pipelineRunner.state.status });
  });

  app.get('/progress', {
    schema: { summary: "The current (or last) run's latest progress event", tags: ['pipeline'], response: { 200: Progress, ...errors } },
    config: ADMIN_ONLY,
  }, async () => {
    const s = app.pipelineRunner.state;
    return { running: s.running, runId: s.runId, status: s.status, startedAt: s.startedAt, finishedAt: s.finishedAt, error: s.error, outcome: s.outcome, notes: s.notes, progress: s.progress };
  });

  app.get('/mappings', {
    schema: {
      summary: 'The column mappings configured in the mappings folder (what an upload may name in its `mapping` field)',
      tags: ['pipeline'],
      response: { 200: Type.Object({ mappingsDir: Type.String(), mappings: Type.Array(MappingRow) }), ...errors },
    },
    config: ADMIN_ONLY,
  }, async () => {
    const dir = mappingsDirOf(app.trellisConfig);
    return { mappingsDir: dir, mappings: configuredMappings(dir).map(describeMapping) };
  });

  app.post('/uploads', {
    schema: {
      summary: 'Upload a CSV/Parquet file into the inbox (multipart field `file`, optional field `mapping`: a configured mapping file); '
        + 'the answer says which mapping and datasets the next run reads it as',
      tags: ['pipeline'],
      consumes: ['multipart/form-data'],
      response: {
        201: Type.Object({ file: Type.String(), dataset: Str(), datasets: Type.Array(Type.String()), mapping: Str(), bytes: Type.Integer() }),
        413: errors[400], ...errors,
      },
    },
    config: ADMIN_ONLY,
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new BadRequestError('Send the file as multipart/form-data with a field named "file"');
    const config = app.trellisConfig;
    const inbox = config.inbox;
    fs.mkdirSync(inbox, { recursive: true });
    const mappings = configuredMappings(mappingsDirOf(config));
    let requested: string | null = null;
    let received: { name: string; tmp: string; bytes: number } | null = null;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === 'mapping') requested = String(part.value ?? '').trim() || null;
          continue;
        }
        if (part.fieldname !== 'file' || received) {
          part.file.resume();
          throw new BadRequestError(`Unexpected file field "${part.fieldname}": send one file in the field "file"`);
        }
        const name = part.filename;
        const unsafe = unsafeNameReason(name);
        if (unsafe) {
          part.file.resume();
          throw new BadRequestError(unsafe);
        }
        // Write under a name the pipeline ignores; renamed once the whole upload is checked, so a run
        // never sees half a file (the `mapping` field may come before or after the file).
        const tmp = path.join(inbox, `.${name}.${process.pid}.uploading`);
        received = { name, tmp, bytes: 0 };
        await pump(part.file, fs.createWriteStream(tmp, { mode: 0o600 }));
        if (part.file.truncated) {
          throw new PayloadTooLargeError(`File "${name}" is larger than the upload limit of ${config.uploadLimitMb ?? 50} MB`);
        }
        received.bytes = fs.statSync(tmp).size;
      }
      if (!received) throw new BadRequestError('No file in the upload: send it in the multipart field "file"');
      const target: UploadTarget = uploadTarget(received.name, mappings, requested);
      fs.renameSync(received.tmp, path.join(inbox, received.name));
      const saved = { file: received.name, ...target, bytes: received.bytes };
      request.log.info({ file: saved.file, bytes: saved.bytes, mapping: saved.mapping }, 'file uploaded into the inbox');
      return reply.status(201).send(saved);
    } finally {
      if (received) fs.rmSync(received.tmp, { force: true });
    }
  });
}
