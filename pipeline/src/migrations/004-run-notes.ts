// Version 4: what a run said besides its status (the notes `trellis run` prints: files checked again, the
// risk factors left out, an inbox that does not exist, ...), kept so that the Pipeline page shows them for
// every run, scheduled ones too. One row per note, in the order the run wrote them.
import type { Migration } from './index.ts';

export const runNotes: Migration = {
  version: 4,
  name: 'run_notes',
  async up(conn) {
    await conn.run('create table if not exists run_notes (run_id INTEGER not null, position INTEGER not null, note VARCHAR not null)');
  },
};
