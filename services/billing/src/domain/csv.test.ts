import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvChunks, csvField, csvRecords, parseCsv, unguarded, type CsvColumn } from './csv.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('CSV (RFC 4180)', () => {
  test('quotes a field holding a comma, a double quote, CR or LF, doubling the quotes; others as they are', () => {
    assert.equal(csvField('plain', 'text'), 'plain');
    assert.equal(csvField('a,b', 'text'), '"a,b"');
    assert.equal(csvField('say "hi"', 'text'), '"say ""hi"""');
    assert.equal(csvField('two\r\nlines', 'text'), '"two\r\nlines"');
    assert.equal(csvField('line\nfeed', 'text'), '"line\nfeed"');
    assert.equal(csvField('Zürich ⚡', 'text'), 'Zürich ⚡');
    assert.equal(csvField('', 'text'), '');
  });

  test('text cells that a spreadsheet would run as a formula get a leading apostrophe; figures never', () => {
    for (const value of ['=1+1', '+31 20', '-CDR', '@SUM(A1)', '\tx', "'quoted"]) assert.equal(csvField(value, 'text'), `'${value}`, value);
    assert.equal(csvField('\rx', 'text'), `"'\rx"`, 'guarded, then quoted');
    assert.equal(csvField('=HYPERLINK("http://x","y")', 'text'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvField('-3.0250', 'figure'), '-3.0250', 'a negative amount stays a number');
    assert.equal(csvField('CDR-1', 'text'), 'CDR-1', 'only the first character counts');
    for (const value of ['=1+1', "'quoted", 'plain', '-x']) assert.equal(unguarded(parseCsv(`${csvField(value, 'text')}\r\n`)[0]?.[0] ?? ''), value, 'reversible');
  });

  test('header first, CRLF after every record, and it reads back', () => {
    const columns: CsvColumn<{ id: string; amount: string }>[] = [
      { name: 'id', kind: 'text', value: (row) => row.id },
      { name: 'amount', kind: 'figure', value: (row) => row.amount },
    ];
    const text = [...csvRecords(columns, [{ id: 'a,"b"', amount: '-1.5000' }, { id: 'line\r\nbreak', amount: '2.0000' }, { id: '', amount: '0.0000' }])].join('');
    assert.equal(text, 'id,amount\r\n"a,""b""",-1.5000\r\n"line\r\nbreak",2.0000\r\n,0.0000\r\n');
    assert.deepEqual(parseCsv(text), [
      ['id', 'amount'],
      ['a,"b"', '-1.5000'],
      ['line\r\nbreak', '2.0000'],
      ['', '0.0000'],
    ]);
  });

  test('chunks hold whole records up to the byte limit, count UTF-8 bytes, and concatenate to the file', () => {
    const records = Array.from({ length: 1000 }, (_, index) => `${index},Zürich ⚡ café ${'x'.repeat(index % 37)}\r\n`);
    const chunks = [...csvChunks(records, 1024)];
    assert.ok(chunks.length > 10, 'several chunks');
    assert.equal(chunks.join(''), records.join(''), 'nothing lost or reordered');
    assert.ok(chunks.every((chunk) => bytes(chunk) <= 1024), 'no chunk over the limit');
    assert.ok(chunks.every((chunk) => chunk.endsWith('\r\n')), 'records are not split when they fit');
    const firstRecord = (chunk: string) => chunk.slice(0, chunk.indexOf('\r\n') + 2);
    assert.ok(
      chunks.slice(1).every((chunk, index) => bytes(chunks[index] ?? '') + bytes(firstRecord(chunk)) > 1024),
      'a chunk is closed only when the next record does not fit',
    );
    assert.deepEqual([...csvChunks(['a\r\n', 'b\r\n'])], ['a\r\nb\r\n'], 'the default limit is 64 KiB');
  });

  test('a record longer than a chunk is cut between characters, never inside one', () => {
    const long = `${'€'.repeat(30)}😀${'a'.repeat(5)}\r\n`; // 3-byte and 4-byte characters
    const chunks = [...csvChunks(['h\r\n', long, 'z\r\n'], 16)];
    assert.equal(chunks.join(''), `h\r\n${long}z\r\n`);
    assert.ok(chunks.every((chunk) => bytes(chunk) <= 16), 'within the limit');
    assert.ok(chunks.every((chunk) => Buffer.from(chunk, 'utf8').toString('utf8') === chunk && !/[\uD800-\uDBFF]$/.test(chunk)), 'every chunk is valid UTF-8 on its own');
    assert.equal(chunks[0], 'h\r\n', 'the record before is flushed first');
    assert.deepEqual([...csvChunks([], 16)], []);
  });

  test('an unterminated quoted field does not read', () => {
    assert.throws(() => parseCsv('"open\r\n'), /unterminated/);
  });
});
