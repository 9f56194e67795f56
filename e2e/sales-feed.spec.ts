import { expect, test } from '@playwright/test'
import { ADMIN, uniq } from './helpers'

// Sales that arrive by themselves: an admin creates an API key for a till in Settings and sets the store to submit
// as soon as sales are ready; the till's nightly job (a script, not a browser) pushes yesterday's sales; the
// worker's schedule submits them with nobody clicking; once the admin revokes the key, the next push gets 401.
test.use({ storageState: ADMIN.state })
test.setTimeout(240_000)

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

test('a till pushes yesterday’s sales with a key, the schedule submits them, and a revoked key is refused', async ({
  page,
  playwright,
  baseURL,
}) => {
  const code = `FEED-${uniq()}`
  // a store of its own, so its schedule touches no other spec's sales
  await page.goto('/settings/stores')
  await page.getByRole('button', { name: 'New store' }).click()
  await page.getByLabel('Code').fill(code)
  await page.getByLabel('Name').fill('Feed test store')
  await page.getByLabel('Latitude').fill('52.5200')
  await page.getByLabel('Longitude').fill('13.4050')
  await page.getByLabel('Time zone').selectOption('Europe/Berlin')
  await page.getByRole('button', { name: 'Create store' }).click()
  await expect(page.getByRole('cell', { name: code, exact: true })).toBeVisible()

  // the key: its stores chosen, shown once
  await page.goto('/settings/api-keys')
  await page.getByRole('button', { name: 'New API key' }).click()
  await page.getByLabel('Name').fill(`Till of ${code}`)
  await page.getByRole('checkbox', { name: new RegExp(code) }).check()
  await page.getByRole('button', { name: 'Create key' }).click()
  await expect(page.getByRole('heading', { name: 'Copy the key now' })).toBeVisible()
  const key = await page.getByRole('textbox', { name: 'API key', exact: true }).inputValue()
  expect(key).toMatch(/^sfk_[0-9a-f]{8}_/)
  await page.getByRole('button', { name: 'Done' }).click()
  const row = page.getByRole('row', { name: new RegExp(`Till of ${code}`) })
  await expect(row).toContainText(key.slice(0, 12))
  await expect(row).toContainText('Never')

  // the contract is on the page, generated from the same schemas as the JSON document
  await expect(page.getByText('Example: push one sale with curl')).toBeVisible()
  await expect(page.getByRole('cell', { name: 'occurred_at', exact: true })).toBeVisible()

  // the store submits as soon as its sales are ready
  await page
    .getByLabel(`When ${code}’s sales are submitted`)
    .selectOption({ label: 'As soon as sales are ready' })
  await page.getByRole('button', { name: `Save schedule of ${code}` }).click()
  await expect(page.getByText(`Schedule of ${code} saved`)).toBeVisible()

  // the till's nightly job: no browser, no session, only the key
  const till = await playwright.request.newContext({ baseURL })
  const sales = [1, 2, 3].map((n) => ({
    order_id: `${code}-${n}`,
    occurred_at: `${yesterday} 1${n}:00`,
    kind: 'purchase',
    items: [{ item_id: `SKU-${n}`, item_name: 'Mug', unit_price: '12.50', quantity: n }],
  }))
  const contract = await (await till.get('/api/v1/openapi.json')).json()
  expect(contract.openapi).toBe('3.1.0')
  const pushed = await till.post('/api/v1/sales', {
    headers: { authorization: `Bearer ${key}` },
    data: sales,
  })
  expect(pushed.status()).toBe(200)
  const answer = await pushed.json()
  expect(answer.results.map((r: { outcome: string }) => r.outcome)).toEqual(['stored', 'stored', 'stored'])

  // nobody clicks: the worker's schedule (every minute) submits them, and the overview says so
  await expect(async () => {
    await page.goto(`/?store=${code}`)
    await expect(page.getByRole('region', { name: 'Scheduled submission' })).toContainText(
      'Submitted 3 sales in 1 batch.',
    )
  }).toPass({ timeout: 150_000, intervals: [5_000] })
  await page.goto(`/sales?store=${code}`)
  await expect(page.getByRole('row', { name: new RegExp(`${code}-1`) })).toBeVisible()

  // revoked: the next push is refused
  await page.goto('/settings/api-keys')
  await expect(row).not.toContainText('Never')
  await row.getByRole('button', { name: 'Revoke' }).click()
  await page.getByRole('button', { name: 'Revoke key' }).click()
  await expect(row).toContainText('Revoked')
  const refused = await till.post('/api/v1/sales', {
    headers: { authorization: `Bearer ${key}` },
    data: sales,
  })
  expect(refused.status()).toBe(401)
  await till.dispose()
})
