// GET /api/backup (admin): a consistent copy of the database, made in this process (which owns the
// file) with COPY FROM DATABASE and streamed as a DuckDB file. `trellis backup` uses it while a
// server runs.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { backupDatabase, serverBackupPath } from '../../../../../pipeline/src/commands/backup.ts';
import { errors } from '../../../schemas.ts';

export default async function backupRoutes(app: FastifyInstance) {
  app.get('/', {
    schema: {
      summary: 'Download a consistent copy of the database (a DuckDB file); only committed data',
      tags: ['system'],
      produces: ['application/octet-stream'],
      response: { ...errors },
    },
    config: { roles: ['admin'] as const },
  }, async (request, reply) => {
    const file = serverBackupPath(app.db.path);
    const removeFolder = () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
    const info = await backupDatabase(app.db, file).catch((err) => { removeFolder(); throw err; });
    request.log.info({ bytes: info.bytes, runId: info.runId }, 'database backup made');
    const stream = fs.createReadStream(file);
    stream.on('close', removeFolder);
    return reply
      .type('application/octet-stream')
      .header('content-disposition', 'attachment; filename="trellis-backup.duckdb"')
      .send(stream);
  });
}
