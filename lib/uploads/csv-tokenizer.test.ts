import { describe, expect, it } from 'vitest'
import { CsvTokenizer, type Delimiter, parseCsvText } from './csv-tokenizer'
import { UploadFileError } from './errors'

// Feeds text in pieces of `size` characters, the way chunks arrive from a stream.
function rowsInChunks(text: string, size: number, delimiter: Delimiter = ',') {
  const rows: { rowNumber: number; cells: string[] }[] = []
  const t = new CsvTokenizer({ delimiter, maxRecordLength: 1000 }, (r) =>
    rows.push({ rowNumber: r.rowNumber, cells: r.cells() }),
  )
  for (let i = 0; i < text.length; i += size) t.push(text.slice(i, i + size))
  t.end()
  return rows
}

const tricky =
  'id,text,n\r\n1,"a, b",2\r\n2,"say ""hi""",3\r\n\r\n3,"line one\r\nline two",4\r\n4,plain "quote" inside,5\r\n5,"quoted"tail,6\r\n6,,\r\n7,last'

const trickyRows = [
  { rowNumber: 1, cells: ['id', 'text', 'n'] },
  { rowNumber: 2, cells: ['1', 'a, b', '2'] },
  { rowNumber: 3, cells: ['2', 'say "hi"', '3'] },
  { rowNumber: 4, cells: [''] },
  { rowNumber: 5, cells: ['3', 'line one\r\nline two', '4'] },
  { rowNumber: 6, cells: ['4', 'plain "quote" inside', '5'] },
  { rowNumber: 7, cells: ['5', 'quotedtail', '6'] },
  { rowNumber: 8, cells: ['6', '', ''] },
  { rowNumber: 9, cells: ['7', 'last'] },
]

describe('CsvTokenizer', () => {
  it('reads quoted delimiters, doubled quotes, line breaks in quotes, blank lines and CRLF', () => {
    expect(parseCsvText(tricky, ',')).toEqual(trickyRows)
  })

  it('gives the same rows whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 5, 7, 64]) expect(rowsInChunks(tricky, size)).toEqual(trickyRows)
  })

  it('reads LF, CR-only and a final row without a line break', () => {
    expect(parseCsvText('a;b\n1;2\n', ';').map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
    expect(parseCsvText('a|b\r1|2', '|').map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
    expect(parseCsvText('a\tb\n"x\ty"\tz', '\t').map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['x\ty', 'z'],
    ])
  })

  it('ends a row at a CR alone too, where a file mixes line ends (old Mac rows added to a Windows file)', () => {
    const mixed = 'a,b\r\n1,2\r3,4\n5,"x\ry"\r\r6,7\r'
    const rows = [
      { rowNumber: 1, cells: ['a', 'b'] },
      { rowNumber: 2, cells: ['1', '2'] },
      { rowNumber: 3, cells: ['3', '4'] },
      { rowNumber: 4, cells: ['5', 'x\ny'] },
      { rowNumber: 5, cells: [''] },
      { rowNumber: 6, cells: ['6', '7'] },
    ]
    expect(parseCsvText(mixed, ',')).toEqual(rows)
    for (const size of [1, 2, 3, 5, 7]) expect(rowsInChunks(mixed, size)).toEqual(rows)
    // a CR at the end of one chunk and the LF starting the next are one line end
    expect(rowsInChunks('a,b\r\n1,2\r\n', 4)).toEqual([
      { rowNumber: 1, cells: ['a', 'b'] },
      { rowNumber: 2, cells: ['1', '2'] },
    ])
  })

  it('knows blank rows', () => {
    const seen: boolean[] = []
    const t = new CsvTokenizer({ delimiter: ',', maxRecordLength: 100 }, (r) => seen.push(r.isBlank()))
    t.push(' , ,\n\n1, Blue mug ,x\n""\n')
    t.end()
    expect(seen).toEqual([true, true, false, true])
  })

  it('refuses a row over the length limit, naming the row', () => {
    const long = `a,b\n1,2\n3,${'x'.repeat(200)}\n`
    const t = new CsvTokenizer({ delimiter: ',', maxRecordLength: 100 }, () => {})
    expect(() => {
      t.push(long)
      t.end()
    }).toThrow(
      expect.objectContaining({
        code: 'LINE_TOO_LONG',
        line: 3,
        message:
          'Row 3 is longer than 100 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
      }),
    )
  })

  it('refuses a quote that is never closed, naming the row where it opened', () => {
    const t = new CsvTokenizer({ delimiter: ',', maxRecordLength: 100 }, () => {})
    let error: unknown
    try {
      t.push('a,b\n1,2\n3,"open\n4,5\n')
      t.end()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UploadFileError)
    expect(error).toMatchObject({
      code: 'UNCLOSED_QUOTE',
      line: 3,
      message:
        'Row 3 opens a quote (") that is never closed, so everything after it would be one cell. Close the quote, or remove it; a quote inside a cell is written twice ("").',
    })
  })

  it('refuses NUL characters as binary data', () => {
    const t = new CsvTokenizer({ delimiter: ',', maxRecordLength: 100 }, () => {})
    expect(() => t.push('a,b\n1,2\n3,\u0000\n')).toThrow(
      expect.objectContaining({ code: 'BINARY_FILE', line: 3 }),
    )
  })
})
