import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { DecodingReader } from './decode'

async function decode(chunks: Buffer[] | Buffer, encoding?: string) {
  const reader = new DecodingReader(chunks, { encoding })
  let text = ''
  for await (const t of reader.text()) text += t
  return { text, encoding: reader.encoding, bom: reader.bom, replaced: reader.replacementCharacters }
}

const sample = 'Artikel;Preis\nCafé crème;3,50 €\n'

describe('DecodingReader', () => {
  it('reads UTF-8 with and without BOM', async () => {
    expect(await decode(Buffer.from(sample, 'utf8'))).toEqual({
      text: sample,
      encoding: 'utf-8',
      bom: false,
      replaced: 0,
    })
    expect(await decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample)]))).toEqual({
      text: sample,
      encoding: 'utf-8',
      bom: true,
      replaced: 0,
    })
  })

  it('reads UTF-16 LE and BE with BOM, and LE without one', async () => {
    expect(await decode(iconv.encode(sample, 'utf-16le', { addBOM: true }))).toMatchObject({
      text: sample,
      encoding: 'utf-16le',
      bom: true,
    })
    expect(await decode(iconv.encode(sample, 'utf-16be', { addBOM: true }))).toMatchObject({
      text: sample,
      encoding: 'utf-16be',
      bom: true,
    })
    expect(await decode(iconv.encode(sample, 'utf-16le'))).toMatchObject({
      text: sample,
      encoding: 'utf-16le',
      bom: false,
    })
  })

  it('detects Windows-1252 when the bytes are not UTF-8', async () => {
    expect(await decode(iconv.encode(sample, 'windows-1252'))).toMatchObject({
      text: sample,
      encoding: 'windows-1252',
    })
  })

  it('decides at the first non-ASCII chunk, even far into the file', async () => {
    const head = `${'Item;Price\n'.repeat(8000)}`
    const chunks = [Buffer.from(head), iconv.encode('Crème;3,50 €\n', 'windows-1252')]
    expect(await decode(chunks)).toMatchObject({ text: `${head}Crème;3,50 €\n`, encoding: 'windows-1252' })
  })

  it('keeps UTF-8 sequences split across chunks intact', async () => {
    const bytes = Buffer.from(sample, 'utf8')
    const split = bytes.indexOf(0xc3) + 1
    expect(await decode([bytes.subarray(0, split), bytes.subarray(split)])).toMatchObject({ text: sample })
  })

  it('follows an explicit encoding and counts unreadable characters', async () => {
    expect(await decode(iconv.encode(sample, 'iso-8859-15'), 'iso-8859-15')).toMatchObject({ text: sample })
    const broken = Buffer.concat([Buffer.from('Crème;'), Buffer.from([0xe9, 0x41]), Buffer.from('\n')])
    expect(await decode(broken, 'utf-8')).toMatchObject({ encoding: 'utf-8', replaced: 1 })
  })

  it('refuses empty, binary and spreadsheet files with a message that says what to do', async () => {
    await expect(decode(Buffer.alloc(0))).rejects.toMatchObject({ code: 'EMPTY_FILE', line: null })
    await expect(decode(Buffer.from('a,b\n1,2\n3\u00004\n', 'latin1'))).rejects.toMatchObject({
      code: 'BINARY_FILE',
      line: 3,
    })
    // lines ending in CR alone (old Mac files) or CRLF count the same
    for (const end of ['\r', '\r\n'])
      await expect(decode(Buffer.from(`a,b${end}1,2${end}3\u00004${end}`, 'latin1'))).rejects.toMatchObject({
        code: 'BINARY_FILE',
        line: 3,
      })
    await expect(decode(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).rejects.toMatchObject({
      code: 'SPREADSHEET_FILE',
      message:
        "This is an Excel workbook (.xlsx) or another zipped file, not a CSV file. In Excel choose File → Save As → 'CSV UTF-8 (Comma delimited) (*.csv)' and upload that file.",
    })
    await expect(decode(Buffer.from('%PDF-1.7\n'))).rejects.toMatchObject({ code: 'NOT_CSV' })
    await expect(decode(Buffer.from('abc'), 'klingon')).rejects.toMatchObject({
      code: 'UNSUPPORTED_ENCODING',
    })
  })
})
