import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Caller } from '@/lib/auth/caller'
import { getSandboxView, isSandboxUrl, summariseAction } from './sandbox-status'
import { postActions, startTestSandbox, type TestSandbox } from './testing/sandbox'

const admin: Caller = {
  userId: '00000000-0000-7000-8000-000000000001',
  email: 'a@x',
  name: 'A',
  role: 'ADMIN',
  storeIds: [],
  allStores: true,
  mustChangePassword: false,
}
const manager: Caller = { ...admin, role: 'MANAGER', allStores: false }

describe('the admin Sandbox page data', () => {
  let sandbox: TestSandbox
  beforeAll(async () => {
    sandbox = await startTestSandbox()
    process.env.SANDBOX_URL = sandbox.url
    process.env.SANDBOX_CONTROL_TOKEN = sandbox.controlToken
  })
  afterAll(async () => {
    await sandbox.dispose()
    delete process.env.SANDBOX_URL
    delete process.env.SANDBOX_CONTROL_TOKEN
  })

  it('shows what the sandbox accepted, as it was sent, newest first, and finds an order', async () => {
    const action = (orderId: string) => ({
      action: 'purchase',
      data: {
        _dt: 1_795_000_000,
        order_id: orderId,
        store_id: 'NYC-001',
        items: [{ item_id: 'SKU-1', count: 2 }],
      },
    })
    expect(
      (await postActions(sandbox, { behavioral_actions: [action('SB-1'), action('SB-2')] })).status,
    ).toBe(204)
    const view = await getSandboxView(admin, { offset: 0, limit: 10 })
    if (!view.available) throw new Error(view.reason)
    expect(view.stats.recordedActions).toBe(2)
    expect(view.page.records.map((r) => r.action)).toEqual([action('SB-2'), action('SB-1')])
    expect(summariseAction(view.page.records[0]?.action)).toEqual({
      kind: 'Purchase',
      orderId: 'SB-2',
      storeId: 'NYC-001',
      occurredAt: new Date(1_795_000_000_000),
      itemCount: 1,
    })
    const found = await getSandboxView(admin, { offset: 0, limit: 10, orderId: 'SB-1' })
    expect(found.available && found.page.records.map((r) => r.action)).toEqual([action('SB-1')])
  })

  it('is for admins only, and says so plainly when the sandbox cannot be reached', async () => {
    await expect(getSandboxView(manager, { offset: 0, limit: 10 })).rejects.toThrow(/Only admins/)
    process.env.SANDBOX_URL = 'http://127.0.0.1:9'
    const down = await getSandboxView(admin, { offset: 0, limit: 10 })
    expect(down).toMatchObject({ available: false, reason: expect.stringMatching(/not reachable/) })
    process.env.SANDBOX_URL = sandbox.url
  })

  it('recognises a connection that points at the sandbox', () => {
    expect(isSandboxUrl(`${sandbox.url}/`, sandbox.url)).toBe(true)
    expect(isSandboxUrl('https://ac.cnstrc.com', sandbox.url)).toBe(false)
    expect(isSandboxUrl('not a url', sandbox.url)).toBe(false)
  })
})
