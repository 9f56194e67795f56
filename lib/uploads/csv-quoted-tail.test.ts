import { describe, expect, it } from 'vitest'
import { CsvTokenizer, parseCsvText } from './csv-tokenizer'

// papaparse reads `"abc"def` differently from spreadsheets; the tokenizer rewrites such a record.
function cellsInChunks(text: string, size: number): string[][] {
  const rows: string[][] = []
  const t = new CsvTokenizer({ delimiter: ',', maxRecordLength: 1000 }, (r) => rows.push(r.cells()))
  for (let i = 0; i < text.length; i += size) t.push(text.slice(i, i + size))
  t.end()
  return rows
}

describe('a quoted cell followed by more text', () => {
  it.each([
    ['1,"a"b\r', [['1', 'ab']]],
    ['1,"a"\r', [['1', 'a']]],
    ['"a"b"c,d\n2', [['ab"c', 'd'], ['2']]],
    ['"a"b\r\n"c"d\r\n', [['ab'], ['cd']]],
    ['"a"b,"c"d,"e"\n"f"', [['ab', 'cd', 'e'], ['f']]],
  ])('reads %j as a spreadsheet does, whatever the chunks', (text, rows) => {
    expect(parseCsvText(text, ',').map((r) => r.cells)).toEqual(rows)
    for (const size of [1, 2, 3, 5]) expect(cellsInChunks(text, size)).toEqual(rows)
  })

  it('counts the record as written against the length limit', () => {
    const text = `"a"b${'"'.repeat(4)}${'x'.repeat(90)}\n`
    expect(parseCsvText(text, ',', { maxRecordLength: 98 }).map((r) => r.cells[0]?.length)).toEqual([96])
    expect(() => parseCsvText(text, ',', { maxRecordLength: 96 })).toThrow(
      expect.objectContaining({ code: 'LINE_TOO_LONG', line: 1 }),
    )
  })
})
