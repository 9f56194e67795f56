// A file we can't read as sales at all: one typed error with what's wrong and how to fix it.

export type UploadFileErrorCode =
  | 'EMPTY_FILE'
  | 'BINARY_FILE'
  | 'SPREADSHEET_FILE'
  | 'NOT_CSV'
  | 'NO_HEADER'
  | 'NO_DATA_ROWS'
  | 'LINE_TOO_LONG'
  | 'UNCLOSED_QUOTE'
  | 'UNSUPPORTED_ENCODING'
  | 'MAPPING_INCOMPLETE'
  | 'STORE_REQUIRED'
  /** what the file's orders (and their problems) take doesn't fit in the memory one read may use */
  | 'TOO_LARGE_TO_READ'
  /** the file no longer reads as its check (preview) did */
  | 'FILE_CHANGED'
  /** the check's events name a store the uploader may no longer write */
  | 'STORES_CHANGED'

export class UploadFileError extends Error {
  override readonly name = 'UploadFileError'
  readonly code: UploadFileErrorCode
  /** 1-based row as a spreadsheet counts it (blank rows count, a quoted line break doesn't); null for the whole file */
  readonly line: number | null

  constructor(code: UploadFileErrorCode, message: string, line: number | null = null) {
    super(message)
    this.code = code
    this.line = line
  }
}

export function isUploadFileError(e: unknown): e is UploadFileError {
  return e instanceof UploadFileError
}
