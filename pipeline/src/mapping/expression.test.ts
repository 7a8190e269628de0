import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkExpression, UnsafeExpression } from './expression.ts';
import { memoryConn } from './test-helpers.ts';

let conn: DuckDBConnection;
let close: () => void;
beforeAll(async () => ({ conn, close } = await memoryConn()));
afterAll(() => close());

describe('checkExpression refuses what could read files, reach out or see the machine', () => {
  const refused: [string, RegExp][] = [
    ["read_csv('/etc/passwd')", /function read_csv\(\) is not allowed/],
    ["read_text('/etc/passwd')", /function read_text\(\) is not allowed/],
    ["(select content from read_text('/etc/passwd'))", /subqueries are not allowed/],
    ['(select 1)', /subqueries are not allowed/],
    ['a in (select 1)', /subqueries are not allowed/],
    ['exists (select 1)', /subqueries are not allowed/],
    ["getenv('HOME')", /function getenv\(\) is not allowed/],
    ["current_setting('home_directory')", /function current_setting\(\) is not allowed/],
    ["nextval('s')", /function nextval\(\) is not allowed/],
    ['now()', /function now\(\) is not allowed/],
    ['current_date', /not allowed/],
    ['count(*)', /not allowed/],
    ['sum(a) over ()', /window function sum is not allowed/],
    ['list_transform(a, x -> x + 1)', /not allowed/],
    ['columns(*)', /\* and COLUMNS/],
    ['x.y', /qualified column reference x\.y/],
    ['other.main.lower(a)', /qualified function|not allowed|does not parse/],
    ['$secret', /\$secret is not a var/],
    ['1; select 2', /one expression only|single expression/],
    ['1) from t --', /does not parse/],
    ['a as b', /no alias/],
    ["1 from read_csv('/etc/passwd')", /single expression/],
    // a width can make a value of any size
    ["printf('%02000000000d', 1)", /printf\(\) is not allowed in a mapping: a width/],
    ["format('{:>2000000000}', a)", /format\(\) is not allowed/],
    ["regexp_replace(a, 'x', 'y', b)", /options as a constant of letters/],
  ];
  it.each(refused)('refuses %s', async (expr, message) => {
    await expect(checkExpression(conn, expr, ['export_date'])).rejects.toThrow(message);
    await expect(checkExpression(conn, expr, ['export_date'])).rejects.toBeInstanceOf(UnsafeExpression);
  });
});

describe('checkExpression accepts column refs, constants, operators, casts, CASE and scalar functions', () => {
  const accepted: [string, string[], string[]][] = [
    ['"Hire Date"', ['Hire Date'], []],
    ["lower(regexp_replace(trim(JobRole), '[^a-z]+', '-', 'g')) || '-l' || JobLevel", ['JobRole', 'JobLevel'], []],
    ["case when a = 'x' then 1 when a is null then null else 2 end", ['a'], []],
    ['$export_date::date - to_years(try_cast(Years as int))', ['Years'], ['export_date']],
    ["strftime(strptime(d, '%m/%d/%Y'), '%Y-%m-%d')", ['d'], []],
    ['coalesce(a, b, \'none\') between \'a\' and \'z\'', ['a', 'b'], []],
    ["a ilike '%manager%' and not b in ('1', '2')", ['a', 'b'], []],
    ['a -- a trailing comment is harmless', ['a'], []],
  ];
  it.each(accepted)('accepts %s', async (expr, columns, params) => {
    const checked = await checkExpression(conn, expr, ['export_date']);
    expect(checked.columns).toEqual(columns);
    expect(checked.params).toEqual(params);
    // the SQL that runs is DuckDB's rendering of the checked tree, wrapped as one term
    expect(checked.sql.startsWith('(')).toBe(true);
    expect(checked.sql).not.toMatch(/--/);
  });
});

describe('checkExpression calls the functions that can build long text through their guards', () => {
  it('renames repeat, lpad, rpad, replace and regexp_replace (with its options) and nothing else', async () => {
    const checked = await checkExpression(conn,
      `lower(regexp_replace(a, '[^a-z]+', '-', 'g')) || repeat(a, 2) || lpad(a, 3, '0') || rpad(a, 3) || replace(a, 'x', 'y') || regexp_replace(a, 'b', 'c')`, []);
    expect(checked.guards).toEqual([{ fn: 'regexp_replace', options: 'g' }, { fn: 'repeat' }, { fn: 'lpad' }, { fn: 'rpad' }, { fn: 'replace' }, { fn: 'regexp_replace' }]);
    expect(checked.sql).toMatch(/^\(+lower\(__trellis_regexp_replace_o_g\(a, '\[\^a-z\]\+', '-', 'g'\)\) \|\| __trellis_repeat\(a, 2\)/);
    for (const fn of ['repeat', 'lpad', 'rpad', 'replace', 'regexp_replace']) expect(checked.sql).not.toMatch(new RegExp(`(?<!__trellis_)\\b${fn}\\(`));
  });

  it('leaves text that looks like a function name alone', async () => {
    const checked = await checkExpression(conn, `'"function_name":"repeat"' || repeat(a, 2)`, []);
    expect(checked.sql).toBe(`(('"function_name":"repeat"' || __trellis_repeat(a, 2)))`);
  });
});
