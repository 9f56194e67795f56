import { execFileSync } from 'node:child_process'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { audit } from '@/lib/audit/log'
import { db, dbPool } from '@/lib/db'
import { createLogger } from '@/lib/log'

// Every place a record of what happened is written: the audit trail (through Prisma and through a raw pg
// connection, as the upload commit does), the web logger and the worker's log. A token and a customer id
// sent through each must come out of none of them in clear.
const TOKEN = 'sbx_live_4f9c2b7e1d3a6f8e0b5c9d2a7f1e3b6c'
const CUSTOMER = 'jane.doe@example.com'
const details = {
  token: TOKEN,
  header: `Bearer ${TOKEN}`,
  sale: { customerId: CUSTOMER, orderId: 'R-1001' },
  request: { body: { data: { ui: CUSTOMER } } },
  before: { customerId: CUSTOMER },
  after: { customerId: 'c-42' },
}

function expectNothingInClear(text: string) {
  expect(text).not.toContain(TOKEN)
  expect(text).not.toContain(CUSTOMER)
  expect(text).not.toContain('c-42')
  // the rest of the record is still there
  expect(text).toContain('R-1001')
}

describe('no writer keeps a token or a customer id in clear', () => {
  it('the audit trail, through Prisma and through a raw pg connection', async () => {
    const ids = [`redaction-prisma-${Date.now()}`, `redaction-pg-${Date.now()}`]
    await audit(db, { actor: null, action: 'test.redaction', entity: 'Test', entityId: ids[0], details })
    const client = await dbPool().connect()
    try {
      await audit(client, {
        actor: null,
        action: 'test.redaction',
        entity: 'Test',
        entityId: ids[1],
        details,
      })
    } finally {
      client.release()
    }
    const rows = await db.auditLog.findMany({ where: { entityId: { in: ids } } })
    expect(rows).toHaveLength(2)
    for (const row of rows) expectNothingInClear(JSON.stringify(row.details))
  })

  it('the logger, for an object and for an error carrying them', () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const log = createLogger(sink)
    log.info(details, 'something happened')
    log.error({ err: new Error('refused'), customerId: CUSTOMER, orderId: 'R-1001' }, 'it failed')
    // a database error quotes the failing row in `detail` and `where`
    const dbError = Object.assign(new Error('new row violates check constraint'), {
      code: '23514',
      detail: `Failing row contains (R-1001, ${CUSTOMER}, ${TOKEN}).`,
      where: `COPY SaleEvent, line 3: "R-1001,${CUSTOMER}"`,
    })
    log.error({ err: dbError, orderId: 'R-1001' }, 'storing failed')
    expect(lines).toHaveLength(3)
    expectNothingInClear(lines.join('\n'))
    expect(lines[1]).toContain('refused')
  })

  it("the worker's log (its own process, as the supervisor runs it)", () => {
    const script = `
      const { workerLog } = await import('./lib/submission/worker-log.ts')
      workerLog('warn', 'request refused', ${JSON.stringify({ ...details, orderId: 'R-1001' })})`
    const out = execFileSync(
      'sh',
      ['-c', `"${process.execPath}" --import tsx --input-type=module -e "$SCRIPT" 2>&1`],
      {
        cwd: process.cwd(),
        env: { ...process.env, SCRIPT: script, SERVICE_NAME: 'worker', LOG_LEVEL: 'info' },
        encoding: 'utf8',
      },
    )
    expect(out).toContain('request refused')
    expect(out).toContain('"service":"worker"')
    expectNothingInClear(out)
  })
})
