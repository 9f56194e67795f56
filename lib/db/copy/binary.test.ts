import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { CopyBinary } from './binary'
import { copyRows } from './copy-rows'
import { copyBinaryRows, uuidText } from './testing'

// What the commit hands PostgreSQL in binary COPY must read back exactly as the same values in text would.

let c: pg.Client
beforeAll(async () => {
  c = new pg.Client({ connectionString: inject('databaseUrl') })
  await c.connect()
})
afterAll(async () => {
  await c.end()
})

const COLUMNS = ['id', 'label', 'flag', 'n', 'at', 'amount', 'doc'] as const

describe('binary COPY rows', () => {
  it('store uuids, text, booleans, integers, times, decimals and JSON as their text form would', async () => {
    await c.query(`CREATE TEMP TABLE copy_check (id uuid, label text, flag boolean, n int, at timestamptz,
      amount numeric(18,4), doc jsonb)`)
    const amounts = [
      '0',
      '0.0001',
      '-12.5',
      '1234567.1234',
      '10000',
      '0.5',
      '-0',
      '00012.30',
      '99999999999999.9999',
      '7',
      '0.00005',
    ]
    const times = [
      Date.UTC(2026, 2, 2, 10, 5, 7, 123),
      Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      Date.UTC(1970, 0, 1),
    ]
    const out = new CopyBinary(16)
    amounts.forEach((amount, i) => {
      out
        .row(COLUMNS.length)
        .uuid(`0190b7b0-0000-7000-8000-${String(i).padStart(12, '0')}`)
        .text(i % 3 === 0 ? null : `Tea towel, "linen" ✓ ${i}\t\\N`)
        .bool(i % 2 === 0)
        .int4(i === 1 ? null : -i * 1000)
        .timestamp(i < times.length ? (times[i] as number) : null)
        .numeric(amount)
        .jsonb(JSON.stringify([{ field: 'x', message: `é ${i}` }]))
    })
    const bytes = out.bytes()
    expect(copyBinaryRows(bytes)).toHaveLength(amounts.length)
    await copyRows(c, 'copy_check', COLUMNS, bytes, 'binary')
    const { rows } = await c.query(
      `SELECT id::text, label, flag, n, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS at,
         amount::text, doc::text FROM copy_check ORDER BY id`,
    )
    expect(rows.map((r) => r.amount)).toEqual([
      '0.0000',
      '0.0001',
      '-12.5000',
      '1234567.1234',
      '10000.0000',
      '0.5000',
      '0.0000',
      '12.3000',
      '99999999999999.9999',
      '7.0000',
      // rounded to the column's scale, as text input is
      '0.0001',
    ])
    expect(rows[0]).toEqual({
      id: '0190b7b0-0000-7000-8000-000000000000',
      label: null,
      flag: true,
      n: 0,
      at: '2026-03-02 10:05:07.123',
      amount: '0.0000',
      doc: '[{"field": "x", "message": "é 0"}]',
    })
    expect(rows[1]).toMatchObject({
      label: 'Tea towel, "linen" ✓ 1\t\\N',
      flag: false,
      n: null,
      at: '1999-12-31 23:59:59.999',
    })
    expect(rows[2]).toMatchObject({ n: -2000, at: '1970-01-01 00:00:00.000' })
    expect(rows[3]?.at).toBeNull()
    expect(uuidText(copyBinaryRows(bytes)[4]?.[0] as Buffer)).toBe('0190b7b0-0000-7000-8000-000000000004')
  })

  it('refuses a value it cannot write exactly, and an amount too large for the column like text would', async () => {
    expect(() => new CopyBinary().row(1).numeric('1e5')).toThrow('not a plain decimal: 1e5')
    expect(() => new CopyBinary().row(1).int4(1.5)).toThrow('not an integer: 1.5')
    expect(() => new CopyBinary().row(1).uuid('not-a-uuid')).toThrow()
    await c.query('CREATE TEMP TABLE copy_overflow (amount numeric(18,4))')
    const out = new CopyBinary()
    out.row(1).numeric('123456789012345')
    await expect(copyRows(c, 'copy_overflow', ['amount'], out.bytes(), 'binary')).rejects.toThrow(
      /numeric field overflow/,
    )
  })

  it('writes nothing at all for no rows', () => {
    expect(new CopyBinary().bytes().byteLength).toBe(0)
  })
})
