// Limits: the cap on rejected rows before a file is refused as garbage (TRELLIS_MAX_REJECTS, through
// `trellis run`), and the upload size limit (TRELLIS_UPLOAD_LIMIT_MB, through the server's upload route).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextSink as Sink } from '../text-sink.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../dashboard/server/index.ts';
import { main } from '../cli.ts';
import { loadConfig } from '../config.ts';
import { all, openDb } from '../db.ts';
import { BASE_DIR } from './corpus.ts';

const AS_OF = '2026-03-31';
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-limits-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** check_ins with `bad` rows of an impossible week_of among good ones. */
function checkIns(bad: number): string {
  const rows = ['employee_id,manager_id,week_of,pulse'];
  for (let i = 0; i < 4; i++) rows.push(`E2,E1,2026-01-${String(5 + i * 7).padStart(2, '0')},3`);
  for (let i = 0; i < bad; i++) rows.push(`E2,E1,2026-02-3${i % 2},3`);
  return `${rows.join('\n')}\n`;
}

describe('maxRejectsPerFile (TRELLIS_MAX_REJECTS)', () => {
  it.each([
    [3, 3, 'loaded'],
    [3, 4, 'refused'],
    [0, 1, 'refused'],
  ])('with a limit of %i, a file with %i rejected rows is %s', async (limit, bad, status) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
    const inbox = path.join(dir, 'inbox');
    fs.cpSync(BASE_DIR, inbox, { recursive: true });
    fs.writeFileSync(path.join(inbox, 'check_ins_week.csv'), checkIns(bad));
    const env = { TRELLIS_DB: path.join(dir, 'db.duckdb'), TRELLIS_INBOX: inbox, TRELLIS_AS_OF: AS_OF, TRELLIS_MAX_REJECTS: String(limit) };
    const stdout = new Sink();
    const stderr = new Sink();
    // committed either way, with rejected rows or a refused file: exit code 3
    expect(await main(['run'], { stdout, stderr, env, cwd: dir }), stderr.text).toBe(3);
    const line = stdout.text.split('\n').find((l) => l.includes('check_ins_week.csv'))!;
    expect(line).toContain(status);
    if (status === 'refused') {
      expect(line).toContain(`check_ins_week.csv: ${bad} rows are rejected, more than the limit of ${limit} (the first: line 6, week_of "2026-02-30" is not a valid date`);
      expect(fs.readFileSync(path.join(inbox, 'refused', 'check_ins_week.csv.reason.txt'), 'utf8')).toMatch(/more than the limit/);
    }
    const db = await openDb(env.TRELLIS_DB);
    const conn = await db.connect();
    const n = await all<{ n: number }>(conn, "select count(*)::INTEGER as n from src_check_ins where _file = 'check_ins_week.csv'");
    conn.closeSync();
    db.close();
    expect(n).toEqual([{ n: status === 'loaded' ? 4 : 0 }]); // a refused file writes nothing
  });
});

describe('upload size limit (TRELLIS_UPLOAD_LIMIT_MB)', () => {
  it('refuses an upload over the configured limit with 413 and keeps one under it', async () => {
    const inbox = path.join(tmp, 'upload-inbox');
    fs.mkdirSync(inbox, { recursive: true });
    const config = loadConfig({ env: { TRELLIS_INBOX: inbox, TRELLIS_UPLOAD_LIMIT_MB: '0.01' }, cwd: tmp });
    expect(config.uploadLimitMb).toBe(0.01);
    const db = await openDb(path.join(tmp, 'upload.duckdb'));
    const app = await buildServer({ config, db, localToken: 'local-token' });
    try {
      const send = (name: string, bytes: number) => {
        const boundary = '----limit';
        const body = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n`),
          Buffer.from(`skill_id,name\n${'S,x\n'.repeat(Math.ceil(bytes / 4))}`.slice(0, bytes)),
          Buffer.from(`\r\n--${boundary}--\r\n`)]);
        return app.inject({ method: 'POST', url: '/api/pipeline/uploads', payload: body,
          headers: { authorization: 'Bearer local-token', 'content-type': `multipart/form-data; boundary=${boundary}` } });
      };
      const big = await send('skills_big.csv', 20_000);
      expect(big.statusCode).toBe(413);
      expect(big.json().message).toMatch(/skills_big\.csv.* larger than the upload limit of 0\.01 MB/);
      expect(fs.readdirSync(inbox)).toEqual([]); // no partial file left behind
      const small = await send('skills_small.csv', 5_000);
      expect(small.statusCode).toBe(201);
      expect(fs.readdirSync(inbox)).toEqual(['skills_small.csv']);
    } finally {
      await app.close();
      db.close();
    }
  });
});
