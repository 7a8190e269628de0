import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../db.ts';
import { applyMapping } from './apply.ts';
import { MappingError } from './errors.ts';
import type { MappingLimits } from './limits.ts';
import { parseMapping } from './parse.ts';
import { memoryConn, tmpDir, write } from './test-helpers.ts';

let conn: DuckDBConnection;
let close: () => void;
let dir: string;
beforeAll(async () => { ({ conn, close } = await memoryConn()); dir = tmpDir(); });
afterAll(() => close());

/** Apply a mapping text to a CSV text; rows of one dataset's raw table. */
async function run(yaml: string, csv: string, dataset = 'reviews', limits?: MappingLimits): Promise<Record<string, unknown>[]> {
  const m = parseMapping(yaml, 'test.yml');
  const mapped = await applyMapping(conn, m, write(dir, `src_${Math.random().toString(36).slice(2)}.csv`, csv), limits);
  const ds = mapped.datasets.find((d) => d.dataset === dataset)!;
  return all(conn, `select * from "${ds.table}" order by _line`);
}

const reviews = (columns: string, extra = '') => `pattern: "*.csv"\n${extra}\ndatasets:\n  reviews:\n    columns:\n${columns}`;

describe('date formats', () => {
  const cases: [string, string, string | null][] = [
    ['"%m/%d/%Y"', '7/5/2011', '2011-07-05'],
    ['"%m/%d/%Y"', '07/05/2011', '2011-07-05'],
    ['"%d/%m/%Y"', '7/5/2011', '2011-05-07'],
    ['"%d.%m.%y"', '05.07.11', '2011-07-05'],
    ['"%d-%b-%Y"', '5-Jul-2011', '2011-07-05'],
    ['"%Y-%m-%d %H:%M:%S"', '2024-07-08 09:12:44', '2024-07-08'],
    ['["%m/%d/%Y", "%Y-%m-%d"]', '2011-07-05', '2011-07-05'],
    // not a date in the format: passed on as written, so validation rejects it with the value shown
    ['"%m/%d/%Y"', '2/30/2011', '2/30/2011'],
    ['"%m/%d/%Y"', 'n/a', 'n/a'],
    ['"%m/%d/%Y"', '', null],
  ];
  it.each(cases)('format %s reads %j as %j', async (fmt, value, expected) => {
    const rows = await run(reviews(`      employee_id: Id\n      cycle: { const: "2024" }\n      performance: { const: 3 }\n      reviewed_on: { column: Date, date_format: ${fmt} }\n`),
      `Id,Date\n1,${value}\n`);
    expect(rows[0].reviewed_on).toBe(expected);
  });

  it('turns a DATE or TIMESTAMP expression into ISO text', async () => {
    const rows = await run(reviews(`      employee_id: Id\n      cycle: { expr: "strftime($d::date, '%Y')" }\n      performance: { const: 3 }\n      reviewed_on: { expr: "$d::date - to_years(Years::int)" }\n`,
      'vars: { d: "2021-06-30" }'), 'Id,Years\n1,3\n2,0\n');
    expect(rows.map((r) => [r.cycle, r.reviewed_on])).toEqual([['2021', '2018-06-30'], ['2021', '2021-06-30']]);
  });
});

describe('value maps', () => {
  const cols = (map: string) => `      employee_id: Id\n      cycle: { const: "2024" }\n      reviewed_on: { const: "2024-01-01" }\n      performance: { column: Rating, ${map} }\n`;
  const csv = 'Id,Rating\n1,Exceeds\n2,  meets expectations \n3,MEETS EXPECTATIONS\n4,Great\n5,\n';
  it('maps text to levels in any case, after trimming; unmapped values stay for validation to report', async () => {
    const rows = await run(reviews(cols('map: { Exceeds: 4, Meets Expectations: 3 }')), csv);
    expect(rows.map((r) => r.performance)).toEqual(['4', '3', '3', 'Great', null]);
  });
  it('map_default replaces unmapped values but not empty ones', async () => {
    const rows = await run(reviews(cols('map: { Exceeds: 4 }, map_default: 2')), csv);
    expect(rows.map((r) => r.performance)).toEqual(['4', '2', '2', '2', null]);
  });
  it('a value mapped to null is blank (and then takes the default)', async () => {
    const rows = await run(reviews(cols('map: { Exceeds: 4, Great: null, Meets Expectations: ~ }')), csv);
    expect(rows.map((r) => r.performance)).toEqual(['4', null, null, null, null]);
    const withDefault = await run(reviews(cols('map: { Exceeds: 4, Great: null }, default: 1')), csv);
    expect(withDefault.map((r) => r.performance)).toEqual(['4', 'meets expectations', 'MEETS EXPECTATIONS', '1', '1']);
  });
  it('map_default null blanks unmapped values; default fills empty results', async () => {
    const rows = await run(reviews(cols('map: { Exceeds: 4 }, map_default: null, default: 1')), csv);
    expect(rows.map((r) => r.performance)).toEqual(['4', '1', '1', '1', '1']);
  });
});

describe('sources and modifiers', () => {
  it('templates, constants, case and trim; a template with an empty column is empty', async () => {
    const yaml = `pattern: "*.csv"
datasets:
  employees:
    columns:
      employee_id: { template: "E-{No}" }
      full_name: { template: "{First} {Last}" }
      email: { column: Mail, case: lower }
      department: { const: Sales }
      role_id: { column: Title, trim: false }
      hire_date: Start
`;
    const rows = await run(yaml, 'No,First,Last,Mail,Title,Start\n7,Ana,Ruiz,Ana.Ruiz@X.com, ae ,2020-01-02\n8,Bo,,b@x.com,ae,2020-01-03\n', 'employees');
    expect(rows[0]).toMatchObject({ employee_id: 'E-7', full_name: 'Ana Ruiz', email: 'ana.ruiz@x.com', department: 'Sales', role_id: ' ae ', hire_date: '2020-01-02' });
    expect(rows[1].full_name).toBeNull();
    expect(rows[0].manager_id).toBeNull();
  });

  it('distinct keeps the first line per key; where filters rows', async () => {
    const yaml = `pattern: "*.csv"
datasets:
  roles:
    distinct: true
    where: Kind <> 'contractor'
    columns:
      role_id: { expr: "lower(Title)" }
      title: Title
      job_family: Dept
      level: { const: 2 }
`;
    const rows = await run(yaml, 'Title,Dept,Kind\nEngineer,Eng,staff\nDesigner,Design,contractor\nengineer,Other,staff\nDesigner,Design,staff\n', 'roles');
    expect(rows.map((r) => [r._line, r.role_id, r.job_family])).toEqual([[2, 'engineer', 'Eng'], [5, 'designer', 'Design']]);
  });

  it('keeps the physical line of each record: header = 1, quoted newlines, blank lines, CRLF', async () => {
    const yaml = `pattern: "*.csv"\ndatasets:\n  skills:\n    columns: { skill_id: Id, name: Name }\n`;
    const rows = await run(yaml, 'Id,Name\r\nA,"two\r\nlines"\r\n\r\nB,plain\r\n   \r\nC,"with ""quotes"""\r\n', 'skills');
    expect(rows.map((r) => [r._line, r.skill_id, r.name])).toEqual([[2, 'A', 'two\r\nlines'], [5, 'B', 'plain'], [7, 'C', 'with "quotes"']]);
  });

  it('reports rows with the wrong number of fields with their physical line', async () => {
    const m = parseMapping(`pattern: "*.csv"\ndatasets:\n  skills:\n    columns: { skill_id: Id, name: Name }\n`, 't.yml');
    const mapped = await applyMapping(conn, m, write(dir, 'bad_fields.csv', 'Id,Name\nA,"x\ny"\nB,b,extra\nC,c\n'));
    expect(mapped.readRejects).toHaveLength(1);
    expect(mapped.readRejects[0].line).toBe(4);
    expect(mapped.datasets[0].rows).toBe(2);
  });

  it('matches source columns in any case and ignores spaces around header names', async () => {
    const rows = await run(`pattern: "*.csv"\ndatasets:\n  skills:\n    columns: { skill_id: "employee #", name: NAME }\n`, ' Employee # ,name\nS1,Sql\n', 'skills');
    expect(rows[0]).toMatchObject({ skill_id: 'S1', name: 'Sql' });
  });
});

describe('bad mappings against a file name the file, dataset and column', () => {
  const cases: [string, string, RegExp, string][] = [
    ['unknown source column', '      skill_id: Id\n      name: Nmae\n', /source column "Nmae" is not in the file \(its columns: Id, Name, N\)/, 'name'],
    ['unknown column in an expression', '      skill_id: Id\n      name: { expr: "upper(Titel)" }\n', /source column "Titel" is not in the file/, 'name'],
    ['unknown column in a template', '      skill_id: Id\n      name: { template: "{Nom}" }\n', /source column "Nom"/, 'name'],
    ['unsafe expression', "      skill_id: Id\n      name: { expr: \"getenv('HOME')\" }\n", /refused: function getenv\(\) is not allowed/, 'name'],
    ['expression that does not bind', "      skill_id: Id\n      name: { expr: \"Name + interval '1 day' + 'x'\" }\n", /cannot be evaluated/, 'name'],
    ['expression failing on a value', '      skill_id: Id\n      name: { expr: "cast(N as integer) + 1" }\n', /fails on this file.*try_cast/, 'name'],
  ];
  it.each(cases)('%s', async (_label, cols, message, column) => {
    const m = parseMapping(`pattern: "*.csv"\ndatasets:\n  skills:\n    columns:\n${cols}`, 'bad.yml');
    const err = await applyMapping(conn, m, write(dir, 'skills_src.csv', 'Id,Name,N\nA,a,1\nB,b,n/a\n')).catch((e) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect(err.message).toMatch(/^bad\.yml \(dataset skills, column /);
    expect(err.message).toMatch(message);
    expect(err.column).toBe(column);
  });
});

describe('limits: expressions that would build huge text or run for minutes fail fast, naming the column', () => {
  const limits: MappingLimits = { mappingMaxChars: 1000, mappingTimeoutSeconds: 30 };
  const skills = (name: string) => parseMapping(`pattern: "*.csv"\ndatasets:\n  skills:\n    columns:\n      skill_id: Id\n      name: { expr: "${name}" }\n`, 'huge.yml');
  const attempt = async (name: string, file: string, given = limits) => {
    const started = Date.now();
    const err = await applyMapping(conn, skills(name), file, given).catch((e) => e);
    return { err, ms: Date.now() - started };
  };

  it.each([
    ['repeat(Name, 2000000000)', 'repeat()'],
    ["lpad(Name, 2000000000, 'x')", 'lpad()'],
    ["rpad(Name, 1001, 'x')", 'rpad()'],
    // a list of long texts, repeated
    ["repeat(string_split(lpad(Name, 1000, 'x'), ','), 1000)[1]", 'repeat()'],
    // each level multiplies the length: exponential without a check at every call
    ["replace(replace(replace(replace(Name, 'S', Name || Name), 'S', Name || Name), 'S', Name || Name), 'S', repeat(Name, 300))", 'replace()'],
    ["regexp_replace(regexp_replace(regexp_replace(Name, '', Name || Name, 'g'), '', Name || Name, 'g'), '', Name || Name, 'g')", 'regexp_replace()'],
  ])('%s', async (expr, fn) => {
    const { err, ms } = await attempt(expr, write(dir, 'limits.csv', 'Id,Name\nS1,Sql\nS2,Go\n'));
    expect(err).toBeInstanceOf(MappingError);
    expect(err.message).toBe(`huge.yml (dataset skills, column name): expr ${expr} would produce a value over 1000 characters (in ${fn}) on this file (the limit: mappingMaxChars, TRELLIS_MAPPING_MAX_CHARS)`);
    expect(ms).toBeLessThan(3000);
  });

  it('stops an expression at the time limit', async () => {
    // 100k rows of a 5,000-character md5: seconds of work without the limit, in short chunks (DuckDB
    // sees an interrupt between chunks of 2,048 rows)
    const slow = 'md5(lpad(Name, 5000, Name))';
    const csv = `Id,Name\n${Array.from({ length: 100_000 }, (_, i) => `S${i},n${i}`).join('\n')}\n`;
    const { err, ms } = await attempt(slow, write(dir, 'slow.csv', csv), { mappingMaxChars: 10_000, mappingTimeoutSeconds: 0.5 });
    expect(err).toBeInstanceOf(MappingError);
    expect(err.message).toBe(`huge.yml (dataset skills, column name): expr ${slow} took over 0.5 s on this file (the limit: mappingTimeoutSeconds, TRELLIS_MAPPING_TIMEOUT)`);
    // reading the file takes 1-3 s of it; without the limit the expression alone runs for 10-30 s
    expect(ms).toBeLessThan(10_000);
  });

  it('leaves a normal mapping as it was', async () => {
    const rows = await run(`pattern: "*.csv"
datasets:
  skills:
    columns:
      skill_id: { expr: "lpad(Id, 6, '0')" }
      name: { expr: "replace(regexp_replace(Name, '[^A-Za-z]+', ' ', 'g'), 'Sql', 'SQL') || repeat('!', 2)" }
      category: { expr: "rpad(Kind, 4, '.')" }
`, 'Id,Name,Kind\n7,Sql--basics,db\n', 'skills', limits);
    expect(rows).toEqual([{ _line: 2, skill_id: '000007', name: 'SQL basics!!', category: 'db..' }]);
  });
});
