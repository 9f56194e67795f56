// Bytes → text: BOM, UTF-16, UTF-8 or Windows-1252 detection, and refusing files that aren't text.
import { isAscii, isUtf8 } from 'node:buffer'
import iconv from 'iconv-lite'
import { UploadFileError } from './errors'

/** A file's bytes: a Node Readable, any (async) iterable of chunks, or the whole content for small inputs. */
export type ByteInput =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | Uint8Array
  | string

/** The encodings we detect; an explicit option may name any other encoding iconv-lite knows. */
export type DetectedEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252'

export interface DecodeOptions {
  /** skip detection and read the file in this encoding (e.g. 'windows-1252', 'iso-8859-15') */
  encoding?: string
  /** called after each chunk with the bytes read so far */
  onBytes?: (bytesRead: number) => void
}

const HEAD_BYTES = 64 * 1024
// two- and four-byte encodings legitimately contain NUL bytes
const WIDE_ENCODING = /^(?:utf-?(?:16|32)|ucs-?[24])/i
const SAVE_AS_CSV =
  "In Excel choose File → Save As → 'CSV UTF-8 (Comma delimited) (*.csv)' and upload that file."

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8')
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

async function* chunksOf(input: ByteInput): AsyncGenerator<Buffer> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    yield toBuffer(input)
    return
  }
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) yield toBuffer(chunk)
}

function lineOfByte(buf: Buffer, index: number): number {
  let line = 1
  // LF ends a line, and so does a CR alone (old Mac files)
  for (let i = 0; i < index; i++) if (buf[i] === 10 || (buf[i] === 13 && buf[i + 1] !== 10)) line++
  return line
}

function startsWith(buf: Buffer, bytes: readonly number[]): boolean {
  if (buf.length < bytes.length) return false
  for (let i = 0; i < bytes.length; i++) if (buf[i] !== bytes[i]) return false
  return true
}

// Files people upload by mistake, recognised by their first bytes.
function rejectKnownBinary(head: Buffer): void {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]))
    throw new UploadFileError(
      'SPREADSHEET_FILE',
      `This is an Excel workbook (.xlsx) or another zipped file, not a CSV file. ${SAVE_AS_CSV}`,
    )
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
    throw new UploadFileError(
      'SPREADSHEET_FILE',
      `This is an older Excel workbook (.xls), not a CSV file. ${SAVE_AS_CSV}`,
    )
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46]))
    throw new UploadFileError(
      'NOT_CSV',
      "This is a PDF document, not a CSV file. Export the sales from your till as CSV (often called 'Export → CSV') and upload that file.",
    )
  if (startsWith(head, [0x1f, 0x8b]))
    throw new UploadFileError(
      'BINARY_FILE',
      'This is a compressed (.gz) file. Unpack it first and upload the CSV file inside.',
    )
  if (
    startsWith(head, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(head, [0xff, 0xd8, 0xff]) ||
    startsWith(head, [0x47, 0x49, 0x46, 0x38])
  )
    throw new UploadFileError(
      'BINARY_FILE',
      'This is an image, not a CSV file. Upload the CSV export of your sales.',
    )
}

function binaryError(line: number): UploadFileError {
  return new UploadFileError(
    'BINARY_FILE',
    `This file contains binary data (first at line ${line}), so it isn't a CSV text file. Upload the CSV export of your sales, not a workbook, image or database file.`,
    line,
  )
}

// UTF-16 without a BOM: one byte of most characters is zero, always on the same side.
function sniffUtf16(head: Buffer): DetectedEncoding | null {
  const n = Math.min(head.length, 4096) & ~1
  if (n < 4) return null
  let evenZero = 0
  let oddZero = 0
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZero++
    if (head[i + 1] === 0) oddZero++
  }
  const pairs = n / 2
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le'
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be'
  return null
}

// Text files have hardly any control characters besides tab, line breaks, form feed and DOS end-of-file.
function checkControlCharacters(head: Buffer): void {
  let count = 0
  let first = -1
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!
    if (c === 0) throw binaryError(lineOfByte(head, i))
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13 && c !== 26) || c === 127) {
      if (first === -1) first = i
      count++
    }
  }
  if (count > 8 && count > head.length * 0.01) throw binaryError(lineOfByte(head, first))
}

/** Length of the buffer without a multi-byte UTF-8 sequence cut off at its end. */
function completeUtf8Length(buf: Buffer): number {
  let i = buf.length - 1
  let continuation = 0
  while (i >= 0 && continuation < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--
    continuation++
  }
  if (i < 0) return buf.length
  const lead = buf[i]!
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return buf.length - i < need ? i : buf.length
}

function looksUtf8(buf: Buffer): boolean {
  return isUtf8(buf.subarray(0, completeUtf8Length(buf)))
}

/**
 * Decodes a byte stream chunk by chunk. Without a BOM the encoding is decided at the first non-ASCII
 * bytes: valid UTF-8 there means UTF-8, anything else Windows-1252 (what Excel writes on Western
 * European Windows). Until then the text is ASCII, which reads the same in both.
 */
export class DecodingReader {
  encoding: string = 'utf-8'
  bom = false
  bytesRead = 0
  /** characters that were not valid in the chosen encoding and became U+FFFD */
  replacementCharacters = 0
  private readonly source: ByteInput
  private readonly options: DecodeOptions

  constructor(source: ByteInput, options: DecodeOptions = {}) {
    this.source = source
    this.options = options
  }

  async *text(): AsyncGenerator<string> {
    const it = chunksOf(this.source)
    try {
      yield* this.decodeChunks(it)
    } finally {
      // stopping early (an error, or a preview) closes the source stream
      await it.return(undefined)
    }
  }

  private async *decodeChunks(it: AsyncGenerator<Buffer>): AsyncGenerator<string> {
    const headParts: Buffer[] = []
    let headLength = 0
    let done = false
    while (headLength < HEAD_BYTES) {
      const next = await it.next()
      if (next.done) {
        done = true
        break
      }
      headParts.push(next.value)
      headLength += next.value.length
    }
    const head = headParts.length === 1 ? headParts[0]! : Buffer.concat(headParts, headLength)
    this.progress(head.length)
    if (head.length === 0)
      throw new UploadFileError(
        'EMPTY_FILE',
        'The file is empty. Export the sales from your till again and upload that file.',
      )

    let pendingAscii = false
    const forced = this.options.encoding
    if (startsWith(head, [0xef, 0xbb, 0xbf])) {
      this.encoding = 'utf-8'
      this.bom = true
    } else if (startsWith(head, [0xff, 0xfe])) {
      this.encoding = 'utf-16le'
      this.bom = true
    } else if (startsWith(head, [0xfe, 0xff])) {
      this.encoding = 'utf-16be'
      this.bom = true
    } else {
      rejectKnownBinary(head)
      const utf16 = forced === undefined ? sniffUtf16(head) : null
      if (utf16 !== null) this.encoding = utf16
      else if (forced === undefined) {
        checkControlCharacters(head)
        if (isAscii(head)) pendingAscii = !done
        else this.encoding = looksUtf8(head) ? 'utf-8' : 'windows-1252'
      } else if (!WIDE_ENCODING.test(forced)) checkControlCharacters(head)
    }
    if (forced !== undefined && !this.bom) {
      if (!iconv.encodingExists(forced))
        throw new UploadFileError(
          'UNSUPPORTED_ENCODING',
          `We don't know the encoding '${forced}'. Choose UTF-8, UTF-16 or Windows-1252, or save the file as 'CSV UTF-8'.`,
        )
      this.encoding = forced
    }

    let decoder = iconv.getDecoder(this.encoding, { stripBOM: true })
    yield this.count(decoder.write(head), this.encoding === 'utf-8')
    if (!done) {
      for (;;) {
        const next = await it.next()
        if (next.done) break
        const chunk = next.value
        this.progress(chunk.length)
        if (pendingAscii && !isAscii(chunk)) {
          pendingAscii = false
          if (!looksUtf8(chunk)) {
            this.encoding = 'windows-1252'
            decoder = iconv.getDecoder(this.encoding)
          }
        }
        yield this.count(decoder.write(chunk), this.encoding === 'utf-8')
      }
    }
    const rest = decoder.end()
    if (rest !== undefined && rest !== '') yield this.count(rest, this.encoding === 'utf-8')
  }

  private progress(n: number): void {
    this.bytesRead += n
    this.options.onBytes?.(this.bytesRead)
  }

  private count(text: string, utf8: boolean): string {
    if (utf8) {
      let i = text.indexOf('\uFFFD')
      while (i !== -1) {
        this.replacementCharacters++
        i = text.indexOf('\uFFFD', i + 1)
      }
    }
    return text
  }
}
