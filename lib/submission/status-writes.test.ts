import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EVENT_INITIAL } from '@/lib/sales/transitions'
import { UPLOAD_INITIAL } from '@/lib/uploads/transitions'
import { BATCH_INITIAL } from './transitions'

// Every status is written by its entity's transitions.ts (STYLE.md 13). This scans the product's code (lib/, app/,
// scripts/) for status writes anywhere else: SQL updates that set status or paused, Prisma updates whose data names
// them, and rows created in a state that is not an initial one. Fixtures that build a table's history in bulk for
// tests and benchmarks are not the product and are not scanned.

const ROOT = path.resolve(import.meta.dirname, '../..')
const TRANSITIONS = [
  'lib/sales/transitions.ts',
  'lib/uploads/transitions.ts',
  'lib/submission/transitions.ts',
  'lib/connection/transitions.ts',
]

/** a status-bearing table: its SQL name, its Prisma model, its status column and the states a row may be made in */
const TABLES = [
  { table: 'SaleEvent', model: 'saleEvent', column: 'status', initial: EVENT_INITIAL as readonly string[] },
  { table: 'Upload', model: 'upload', column: 'status', initial: UPLOAD_INITIAL as readonly string[] },
  { table: 'Batch', model: 'batch', column: 'status', initial: BATCH_INITIAL as readonly string[] },
  // a connection is made running (the column's default); paused is set by a move only
  { table: 'ConstructorConnection', model: 'constructorConnection', column: 'paused', initial: [] },
]

type StatusWrite = { line: number; what: string }

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length

/** the text between the bracket at `open` and its match */
function balanced(text: string, open: number) {
  const pair: Record<string, string> = { '(': ')', '{': '}' }
  const close = pair[text[open] as string] as string
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === text[open]) depth++
    else if (text[i] === close && --depth === 0) return text.slice(open + 1, i)
  }
  return text.slice(open + 1)
}

const names = (column: string) => new RegExp(`(?:^|[\\s,({])"?${column}"?\\s*=(?!=)`)
const key = (column: string) => new RegExp(`(?:^|[\\s,{])${column}\\s*:`)

function findStatusWrites(text: string): StatusWrite[] {
  const found: StatusWrite[] = []
  for (const t of TABLES) {
    // SQL: UPDATE [ONLY] [schema.]"Table" [[AS] alias] SET …, and INSERT … ON CONFLICT … DO UPDATE SET …
    // (up to FROM, WHERE, RETURNING or the end of the statement)
    const update = new RegExp(
      `(?:UPDATE\\s+(?:ONLY\\s+)?(?:"?\\w+"?\\.)?"${t.table}"(?:\\s+(?:AS\\s+)?(?!SET\\b)\\w+)?|INSERT\\s+INTO\\s+(?:"?\\w+"?\\.)?"${t.table}"[^\`;]*?\\bDO\\s+UPDATE)\\s+SET\\b([\\s\\S]*?)(?:\\bFROM\\b|\\bWHERE\\b|\\bRETURNING\\b|\`|$)`,
      'gi',
    )
    for (const m of text.matchAll(update)) {
      if (names(t.column).test(m[1] as string))
        found.push({ line: lineOf(text, m.index), what: `UPDATE "${t.table}" sets ${t.column}` })
    }
    // SQL: INSERT INTO "Table" (… status …) with a state that is not an initial one
    const insert = new RegExp(
      `INSERT\\s+INTO\\s+(?:"?\\w+"?\\.)?"${t.table}"\\s*\\(([^)]*)\\)([\\s\\S]*?)(?:\\bON\\s+CONFLICT\\b|\`|;|$)`,
      'gi',
    )
    for (const m of text.matchAll(insert)) {
      if (!new RegExp(`\\b${t.column}\\b`).test(m[1] as string)) continue
      const states = [...(m[2] as string).matchAll(/'([A-Z_]+)'/g)].map((s) => s[1] as string)
      const bad = t.column === 'paused' ? ['paused'] : states.filter((s) => !t.initial.includes(s))
      if (bad.length > 0)
        found.push({ line: lineOf(text, m.index), what: `INSERT INTO "${t.table}" as ${bad.join(', ')}` })
    }
    // Prisma: model.update/updateMany (data) and upsert's update with the column; create/createMany and
    // upsert's create only in an initial state
    const call = new RegExp(`\\.${t.model}\\.(update|updateMany|upsert|create|createMany)\\(`, 'g')
    for (const m of text.matchAll(call)) {
      const args = balanced(text, m.index + m[0].length - 1)
      const creates = m[1] === 'create' || m[1] === 'createMany'
      const blocks = m[1] === 'upsert' ? ['update:', 'create:'] : ['data:']
      for (const block of blocks) {
        const at = args.indexOf(block)
        if (at === -1) continue
        const brace = args.indexOf('{', at)
        const body = brace === -1 ? args.slice(at) : balanced(args, brace)
        const k = key(t.column).exec(body)
        if (!k) continue
        const value = body.slice(k.index + k[0].length).split(/,\s*\n|\n/)[0] ?? ''
        const states = [...value.matchAll(/'([A-Z_]+)'/g)].map((s) => s[1] as string)
        const initialOnly = (creates || block === 'create:') && t.column !== 'paused'
        const fine = initialOnly && states.length > 0 && states.every((s) => t.initial.includes(s))
        if (!fine) found.push({ line: lineOf(text, m.index), what: `${t.model}.${m[1]} writes ${t.column}` })
      }
    }
  }
  return found
}

function productFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (
        ['generated', 'node_modules', 'testing', '__fixtures__'].includes(entry.name) ||
        /bench/.test(entry.name)
      )
        continue
      out.push(...productFiles(rel))
    } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      if (entry.name === 'testing.ts' || /bench/.test(entry.name)) continue
      out.push(rel)
    }
  }
  return out
}

describe('status writes', () => {
  it('happen only in the transitions files', () => {
    const outside = ['lib', 'app', 'scripts']
      .flatMap(productFiles)
      .filter((f) => !TRANSITIONS.includes(f))
      .flatMap((f) =>
        findStatusWrites(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((w) => `${f}:${w.line}: ${w.what}`),
      )
    expect(outside).toEqual([])
  })

  it('the transitions files are where the scan finds writes (the scan sees what it is meant to)', () => {
    for (const f of TRANSITIONS)
      expect(findStatusWrites(fs.readFileSync(path.join(ROOT, f), 'utf8')).length, f).toBeGreaterThan(0)
  })

  it('finds each kind of status write, and leaves reads and initial states alone', () => {
    const writes = (s: string) => findStatusWrites(s).map((w) => w.what)
    expect(writes('q(`UPDATE "Upload" SET status = \'FAILED\' WHERE id = $1`)')).toEqual([
      'UPDATE "Upload" sets status',
    ])
    expect(
      writes('sql`UPDATE "SaleEvent" e SET version = 1, status = v.s FROM v WHERE e.id = v.id`'),
    ).toEqual(['UPDATE "SaleEvent" sets status'])
    expect(
      writes('`UPDATE "ConstructorConnection" SET paused = false, "pausedReason" = NULL WHERE id = $1`'),
    ).toEqual(['UPDATE "ConstructorConnection" sets paused'])
    expect(writes("tx.upload.updateMany({ where: { id }, data: { status: 'CANCELLED' } })")).toEqual([
      'upload.updateMany writes status',
    ])
    expect(
      writes('db.constructorConnection.update({ where: { id }, data: { x: 1, paused: false } })'),
    ).toEqual(['constructorConnection.update writes paused'])
    expect(writes("tx.saleEvent.create({ data: { orderId, status: 'QUEUED' } })")).toEqual([
      'saleEvent.create writes status',
    ])
    expect(writes('`INSERT INTO "Batch" (id, status) VALUES ($1, \'SENDING\')`')).toEqual([
      'INSERT INTO "Batch" as SENDING',
    ])
    // an upload is created RECEIVING while its file arrives; RECEIVED is a move (finishReceiving)
    expect(writes('`INSERT INTO "Upload" (id, status) VALUES ($1, \'RECEIVED\')`')).toEqual([
      'INSERT INTO "Upload" as RECEIVED',
    ])
    expect(writes('`UPDATE "SaleEvent" AS e SET status = \'READY\' WHERE e.id = $1`')).toEqual([
      'UPDATE "SaleEvent" sets status',
    ])
    expect(writes('`update public."Upload" set status = \'FAILED\'`')).toEqual([
      'UPDATE "Upload" sets status',
    ])
    expect(
      writes(
        '`INSERT INTO "Batch" (id, status) VALUES ($1, \'QUEUED\') ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status`',
      ),
    ).toEqual(['UPDATE "Batch" sets status'])
    expect(
      writes(
        "tx.upload.upsert({ where: { id }, create: { id, status: 'RECEIVING' }, update: { status: 'FAILED' } })",
      ),
    ).toEqual(['upload.upsert writes status'])
    expect(
      writes("tx.upload.upsert({ where: { id }, create: { id, status: 'COMMITTED' }, update: { x: 1 } })"),
    ).toEqual(['upload.upsert writes status'])
    // reads, other columns and rows made in an initial state are not writes
    expect(
      writes('`UPDATE "Upload" SET "errorMessage" = $2 WHERE id = $1 AND status = \'PREVIEW\'`'),
    ).toEqual([])
    expect(writes('`SELECT 1 FROM "Batch" WHERE status = \'QUEUED\'`')).toEqual([])
    expect(
      writes("tx.saleEvent.create({ data: { orderId, status: broken ? 'INVALID' : 'READY' } })"),
    ).toEqual([])
    expect(writes("tx.upload.findFirst({ where: { status: 'COMMITTED' } })")).toEqual([])
    expect(writes('`INSERT INTO "Upload" (id, status) VALUES ($1, \'RECEIVING\')`')).toEqual([])
    expect(
      writes(
        "tx.upload.upsert({ where: { id }, create: { id, status: 'RECEIVING' }, update: { name: 'x' } })",
      ),
    ).toEqual([])
  })
})
