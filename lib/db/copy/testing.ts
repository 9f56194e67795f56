// Test helpers: read binary COPY bytes back, to look into what a writer hands PostgreSQL.

/** the rows of binary COPY bytes (CopyBinary), each value's bytes or null: for a test to look into */
export function copyBinaryRows(bytes: Uint8Array): (Buffer | null)[][] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.length === 0) return []
  if (b.subarray(0, 11).toString('latin1') !== 'PGCOPY\n\xff\r\n\0') throw new Error('not binary COPY')
  let o = 19 + b.readInt32BE(15)
  const rows: (Buffer | null)[][] = []
  for (;;) {
    const fields = b.readInt16BE(o)
    o += 2
    if (fields === -1) break
    const row: (Buffer | null)[] = []
    for (let i = 0; i < fields; i++) {
      const len = b.readInt32BE(o)
      o += 4
      if (len === -1) row.push(null)
      else {
        row.push(b.subarray(o, o + len))
        o += len
      }
    }
    rows.push(row)
  }
  if (o !== b.length) throw new Error('bytes after the trailer')
  return rows
}

/** a binary uuid as text */
export const uuidText = (v: Buffer) =>
  v.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
