/**
 * CSV per RFC 4180: CRLF after every record (the last too), a field in double quotes when it
 * holds a comma, a double quote, CR or LF, a double quote inside doubled; UTF-8.
 *
 * Spreadsheet formula injection: a *text* column (ids and other values partners choose) whose
 * value starts with `=`, `+`, `-`, `@`, TAB or CR would be run as a formula by Excel, LibreOffice
 * or Sheets; such a cell gets a leading apostrophe (`'`), which spreadsheets show as "text".
 * A value that itself starts with `'` gets one too, so removing exactly one leading apostrophe
 * from a text column always gives the value back. *Figure* columns (our decimal strings, times,
 * booleans, counts) are never touched: a negative amount stays `-3.0250`.
 */
export interface CsvColumn<Row> {
  name: string;
  kind: 'text' | 'figure';
  value: (row: Row) => string;
}

/** The largest chunk ExportCsv sends, in UTF-8 bytes. */
export const CSV_CHUNK_MAX_BYTES = 65_536;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r']/;

/** One field: guarded (text columns), then quoted when it must be. */
export function csvField(value: string, kind: 'text' | 'figure'): string {
  const guarded = kind === 'text' && FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** The header record, then one record per row. */
export function* csvRecords<Row>(columns: readonly CsvColumn<Row>[], rows: Iterable<Row>): Generator<string> {
  yield `${columns.map((column) => csvField(column.name, 'figure')).join(',')}\r\n`;
  for (const row of rows) yield `${columns.map((column) => csvField(column.value(row), column.kind)).join(',')}\r\n`;
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Groups records into chunks of at most `maxBytes` UTF-8 bytes, whole records where they fit.
 * A record longer than that on its own is cut between characters (never inside a UTF-8
 * sequence or a surrogate pair): the concatenation of the chunks is always the file.
 */
export function* csvChunks(records: Iterable<string>, maxBytes = CSV_CHUNK_MAX_BYTES): Generator<string> {
  if (maxBytes < 4) throw new RangeError('a chunk must hold at least one character (4 bytes)');
  let chunk = '';
  let size = 0;
  for (const record of records) {
    const bytes = utf8Bytes(record);
    if (size + bytes <= maxBytes) {
      chunk += record;
      size += bytes;
      continue;
    }
    if (chunk) yield chunk;
    chunk = '';
    size = 0;
    if (bytes <= maxBytes) {
      chunk = record;
      size = bytes;
      continue;
    }
    for (const character of record) {
      const width = utf8Bytes(character);
      if (size + width > maxBytes) {
        yield chunk;
        chunk = '';
        size = 0;
      }
      chunk += character;
      size += width;
    }
  }
  if (chunk) yield chunk;
}

/** Reads RFC 4180 text back into records of fields (finance tooling and tests). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let started = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] as string;
    if (quoted) {
      if (character !== '"') field += character;
      else if (text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else quoted = false;
      continue;
    }
    started = true;
    if (character === '"') quoted = true;
    else if (character === ',') {
      record.push(field);
      field = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      started = false;
      index += 1;
    } else field += character;
  }
  if (quoted) throw new SyntaxError('unterminated quoted field');
  if (started) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** A text field as it was before the injection guard (one leading apostrophe removed, if any). */
export const unguarded = (field: string): string => (field.startsWith("'") ? field.slice(1) : field);
