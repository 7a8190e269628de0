// Arrow IPC answers: build an apache-arrow Table from the columns DuckDB returned (already converted
// to plain values by rows.ts) and serialise it as an IPC stream.
import { DuckDBTypeId, type DuckDBListType, type DuckDBType } from '@duckdb/node-api';
import {
  Bool, Field, Float64, Int32, List, Table, Utf8, tableToIPC, vectorFromArray,
  type DataType, type Vector,
} from 'apache-arrow';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cell, ReadResult } from './rows.ts';

export const ARROW_MIME = 'application/vnd.apache.arrow.stream';

/** True when the client asked for Arrow (`Accept: application/vnd.apache.arrow.stream`). */
export function wantsArrow(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.split(',').some((part) => part.trim().split(';')[0].toLowerCase() === ARROW_MIME);
}

function arrowType(type: DuckDBType): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return new Bool();
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return new Int32();
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return new Float64();
    case DuckDBTypeId.LIST: {
      const child = (type as DuckDBListType).valueType;
      const inner = arrowType(child);
      if (inner instanceof List) return new Utf8();
      return new List(new Field('item', inner, true));
    }
    default:
      // VARCHAR, DATE and TIMESTAMP (already ISO text), and anything else as text.
      return new Utf8();
  }
}

function asText(values: Cell[]): (string | null)[] {
  return values.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v)));
}

/** An Arrow table with one column per result column, types mapped from DuckDB's. */
export function toArrowTable(result: ReadResult): Table {
  const vectors: Record<string, Vector> = {};
  result.columns.forEach((col, i) => {
    const type = arrowType(col.type);
    const values = type instanceof Utf8 ? asText(result.data[i]) : result.data[i];
    vectors[col.name] = vectorFromArray(values as unknown[], type);
  });
  return new Table(vectors);
}

export function toArrowIPC(result: ReadResult): Uint8Array {
  return tableToIPC(toArrowTable(result), 'stream');
}

/** Send the rows as an Arrow IPC stream. */
export function sendArrow(reply: FastifyReply, result: ReadResult, extraHeaders: Record<string, string> = {}) {
  reply.header('content-type', ARROW_MIME);
  for (const [k, v] of Object.entries(extraHeaders)) reply.header(k, v);
  return reply.send(Buffer.from(toArrowIPC(result)));
}
