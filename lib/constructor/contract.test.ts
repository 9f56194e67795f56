import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildRequestBody } from './payload'
import { type OfflineBehavioralAction, offlineBehavioralActionsBodySchema } from './schema'
import {
  contractString,
  jsonNumber,
  storedEvent,
  validAction,
  validItem,
  validPurchase,
  validReturn,
} from './testing/arbitraries'
import { postActions, startTestSandbox, type TestSandbox } from './testing/sandbox'

// The zod schemas and the sandbox's JSON Schema encode the contract independently; these properties hold them
// to the same verdict on generated bodies, and hold the sandbox to naming the offending action.

let sandbox: TestSandbox

beforeAll(async () => {
  sandbox = await startTestSandbox()
})

afterAll(async () => {
  await sandbox.dispose()
})

type Detail = { loc: (string | number)[]; msg: string; type: string }

/** _dt is Unix seconds: a sale from 2000-01-01 to a day from now (milliseconds or microseconds fall far outside) */
const PLAUSIBLE_DT = { min: Date.UTC(2000, 0, 1) / 1000, max: () => Math.floor(Date.now() / 1000) + 86_400 }

async function sandboxVerdict(
  body: unknown,
): Promise<{ status: number; indices: number[]; detail: Detail[] }> {
  const response = await postActions(sandbox, body)
  if (response.status === 204) return { status: 204, indices: [], detail: [] }
  const json = (await response.json()) as { message: string; detail: Detail[] }
  expect(typeof json.message).toBe('string')
  const indices = [
    ...new Set(
      json.detail
        .filter(
          (d) => d.loc[0] === 'body' && d.loc[1] === 'behavioral_actions' && typeof d.loc[2] === 'number',
        )
        .map((d) => d.loc[2] as number),
    ),
  ].sort((a, b) => a - b)
  return { status: response.status, indices, detail: json.detail }
}

function zodIndices(body: unknown): number[] | 'valid' {
  const result = offlineBehavioralActionsBodySchema.safeParse(body)
  if (result.success) return 'valid'
  return [
    ...new Set(
      result.error.issues
        .filter((issue) => issue.path[0] === 'behavioral_actions' && typeof issue.path[1] === 'number')
        .map((issue) => issue.path[1] as number),
    ),
  ].sort((a, b) => a - b)
}

const listName = (action: OfflineBehavioralAction) =>
  action.action === 'purchase' ? 'items' : 'items_returned'

function withData(action: OfflineBehavioralAction, changes: Record<string, unknown>): unknown {
  return { ...action, data: { ...action.data, ...changes } }
}

function withFirstItem(action: OfflineBehavioralAction, item: unknown): unknown {
  const list = listName(action)
  const items = (action.data as unknown as Record<string, unknown[]>)[list] ?? []
  return withData(action, { [list]: [item, ...items.slice(1)] })
}

const DATA_KEYS = new Set([
  '_dt',
  'ui',
  'order_id',
  'lat',
  'lon',
  'store_id',
  'items',
  'revenue',
  'items_returned',
  'items_kept',
  'items_cross_sold',
  'return_expenses',
  'refund',
  'return_shipping_cost',
  'return_reason',
  'return_type',
  'return_preference',
  'return_drop_off',
])
const ITEM_KEYS = new Set(['item_id', 'item_name', 'variation_id', 'price', 'count'])
const unknownKey = (known: Set<string>) =>
  fc.string({ minLength: 1, maxLength: 30 }).filter((key) => !known.has(key) && key !== '__proto__')
const nonInteger = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x))

// Each entry breaks exactly one contract rule in an otherwise valid action.
const invalidActions: [string, fc.Arbitrary<unknown>][] = [
  [
    'missing _dt',
    validAction.map((a) => {
      const { _dt: _, ...data } = a.data
      return { ...a, data }
    }),
  ],
  ['non-integer _dt', fc.tuple(validAction, nonInteger).map(([a, dt]) => withData(a, { _dt: dt }))],
  [
    '_dt in milliseconds as a string',
    validAction.map((a) => withData(a, { _dt: String(a.data._dt * 1000) })),
  ],
  ['empty item list', validAction.map((a) => withData(a, { [listName(a)]: [] }))],
  [
    '501 items',
    fc
      .tuple(validAction, validItem)
      .map(([a, item]) => withData(a, { [listName(a)]: Array(501).fill(item) })),
  ],
  [
    'item_id longer than 250 characters',
    fc
      .tuple(validAction, validItem, contractString(251, 300))
      .map(([a, item, id]) => withFirstItem(a, { ...item, item_id: id })),
  ],
  [
    'empty item_name',
    fc.tuple(validAction, validItem).map(([a, item]) => withFirstItem(a, { ...item, item_name: '' })),
  ],
  [
    'variation_id longer than 250 characters',
    fc
      .tuple(validAction, validItem, contractString(251, 260))
      .map(([a, item, v]) => withFirstItem(a, { ...item, variation_id: v })),
  ],
  [
    'variation_id alone',
    fc
      .tuple(validAction, contractString(1, 250), jsonNumber)
      .map(([a, v, price]) => withFirstItem(a, { variation_id: v, price })),
  ],
  [
    'neither item_id nor item_name',
    fc
      .tuple(validAction, jsonNumber, fc.integer())
      .map(([a, price, count]) => withFirstItem(a, { price, count })),
  ],
  [
    'price as a string',
    fc.tuple(validAction, validItem).map(([a, item]) => withFirstItem(a, { ...item, price: '17.99' })),
  ],
  [
    'non-integer count',
    fc
      .tuple(validAction, validItem, nonInteger)
      .map(([a, item, count]) => withFirstItem(a, { ...item, count })),
  ],
  [
    'unknown key in an item',
    fc
      .tuple(validAction, validItem, unknownKey(ITEM_KEYS))
      .map(([a, item, key]) => withFirstItem(a, { ...item, [key]: 1 })),
  ],
  [
    'unknown key in data',
    fc.tuple(validAction, unknownKey(DATA_KEYS)).map(([a, key]) => withData(a, { [key]: 'x' })),
  ],
  [
    'unknown key beside action and data',
    fc.tuple(validAction, unknownKey(new Set(['action', 'data']))).map(([a, key]) => ({ ...a, [key]: true })),
  ],
  [
    'lat longer than 20 characters',
    fc.tuple(validAction, contractString(21, 40)).map(([a, lat]) => withData(a, { lat })),
  ],
  ['empty lon', validAction.map((a) => withData(a, { lon: '' }))],
  ['lat as a number', validAction.map((a) => withData(a, { lat: 52.52 }))],
  [
    'store_id longer than 250 characters',
    fc.tuple(validPurchase, contractString(251, 300)).map(([a, id]) => withData(a, { store_id: id })),
  ],
  ['empty store_id', validPurchase.map((a) => withData(a, { store_id: '' }))],
  [
    'store_id on a return',
    fc.tuple(validReturn, contractString(1, 250)).map(([a, id]) => withData(a, { store_id: id })),
  ],
  [
    'return_drop_off longer than 250 characters',
    fc.tuple(validReturn, contractString(251, 300)).map(([a, d]) => withData(a, { return_drop_off: d })),
  ],
  [
    'bad return_type',
    fc
      .tuple(validReturn, fc.oneof(fc.constantFrom('FULL', 'Partial', ''), fc.string()))
      .filter(([, t]) => t !== 'full' && t !== 'partial')
      .map(([a, t]) => withData(a, { return_type: t })),
  ],
  [
    'bad return_preference',
    fc
      .tuple(validReturn, fc.constantFrom('REFUND', 'exchange', 'store_credit'))
      .map(([a, p]) => withData(a, { return_preference: p })),
  ],
  ['empty items_kept', validReturn.map((a) => withData(a, { items_kept: [] }))],
  [
    'return carrying a purchase item list',
    fc.tuple(validReturn, validItem).map(([a, item]) => withData(a, { items: [item] })),
  ],
  ['refund as a string', validReturn.map((a) => withData(a, { refund: '10.00' }))],
  ['ui as a number', validAction.map((a) => withData(a, { ui: 12345 }))],
  [
    'unknown action',
    fc
      .tuple(validAction, fc.constantFrom('refund', 'PURCHASE', 'view'))
      .map(([a, action]) => ({ ...a, action })),
  ],
  ['missing data', validAction.map((a) => ({ action: a.action }))],
]

describe('valid bodies', () => {
  it('are accepted by the zod schemas and by the sandbox, which records them exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validAction, { minLength: 1, maxLength: 8 }), async (actions) => {
        const body = { behavioral_actions: actions }
        expect(zodIndices(body)).toBe('valid')
        const verdict = await sandboxVerdict(body)
        expect(verdict).toEqual({ status: 204, indices: [], detail: [] })
        const page = await sandbox.received({ limit: actions.length })
        const recorded = page.records.reverse().map((record) => record.action)
        expect(recorded).toEqual(JSON.parse(JSON.stringify(actions)))
      }),
      { numRuns: 100 },
    )
  })

  it('built from stored events pass the zod schemas and the sandbox', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(storedEvent, { minLength: 1, maxLength: 5 }), async (events) => {
        const body = buildRequestBody(events)
        expect(zodIndices(body)).toBe('valid')
        expect((await sandboxVerdict(body)).status).toBe(204)
        // the schemas only ask for an integer: the unit is held here, so milliseconds can't slip through
        for (const [i, action] of body.behavioral_actions.entries()) {
          expect(action.data._dt).toBeGreaterThanOrEqual(PLAUSIBLE_DT.min)
          expect(action.data._dt).toBeLessThanOrEqual(PLAUSIBLE_DT.max())
          expect(action.data._dt).toBe(Math.floor((events[i]?.occurredAt?.getTime() ?? Number.NaN) / 1000))
        }
      }),
      { numRuns: 60 },
    )
  })

  it('may hold exactly 100 actions, 500 items and strings at their longest in characters', async () => {
    const astral = '𝔸'.repeat(250)
    const item = { item_id: astral, item_name: 'n'.repeat(250), variation_id: astral, price: 1, count: 1 }
    const action = {
      action: 'purchase' as const,
      data: {
        _dt: 1,
        items: Array(500).fill(item),
        lat: '𝔸'.repeat(20),
        lon: '-180.000000000000000',
        store_id: astral,
      },
    }
    const body = {
      behavioral_actions: Array(100).fill({ action: 'purchase', data: { _dt: 1, items: [item] } }),
    }
    body.behavioral_actions[99] = action
    expect(zodIndices(body)).toBe('valid')
    expect((await sandboxVerdict(body)).status).toBe(204)
  })
})

describe('an invalid action among valid ones', () => {
  it.each(invalidActions)('%s is rejected by both, at its index', async (_rule, invalidAction) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validAction, { maxLength: 4 }),
        invalidAction,
        fc.array(validAction, { maxLength: 4 }),
        async (before, bad, after) => {
          const body = { behavioral_actions: [...before, bad, ...after] }
          const badIndex = before.length
          expect(zodIndices(body)).toEqual([badIndex])
          const verdict = await sandboxVerdict(body)
          expect(verdict.status).toBe(400)
          expect(verdict.indices).toEqual([badIndex])
        },
      ),
      { numRuns: 25 },
    )
  })
})

describe('an invalid body', () => {
  const bodies: [string, fc.Arbitrary<unknown>][] = [
    ['no actions', fc.constant({ behavioral_actions: [] })],
    ['101 actions', validAction.map((a) => ({ behavioral_actions: Array(101).fill(a) }))],
    ['no behavioral_actions', fc.constant({})],
    [
      'an unknown key beside behavioral_actions',
      fc
        .tuple(
          fc.array(validAction, { minLength: 1, maxLength: 3 }),
          unknownKey(new Set(['behavioral_actions'])),
        )
        .map(([actions, key]) => ({ behavioral_actions: actions, [key]: 1 })),
    ],
    ['behavioral_actions not a list', validAction.map((a) => ({ behavioral_actions: a }))],
    ['a list instead of an object', fc.array(validAction, { minLength: 1, maxLength: 3 })],
    ['null', fc.constant(null)],
  ]

  it.each(bodies)('with %s is rejected by both without blaming an action', async (_rule, invalidBody) => {
    await fc.assert(
      fc.asyncProperty(invalidBody, async (body) => {
        expect(zodIndices(body)).toEqual([])
        const verdict = await sandboxVerdict(body)
        expect(verdict.status).toBe(400)
        expect(verdict.indices).toEqual([])
        expect(verdict.detail.length).toBeGreaterThan(0)
      }),
      { numRuns: 10 },
    )
  })

  it('that is not JSON gets a 400 from the sandbox', async () => {
    const verdict = await sandboxVerdict('{"behavioral_actions": [')
    expect(verdict.status).toBe(400)
    expect(verdict.detail[0]?.type).toBe('json_invalid')
  })
})
