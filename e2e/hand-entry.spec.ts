import { expect, test } from '@playwright/test'
import { NYC, uniq } from './helpers'

// A manager types in a sale the till missed: two items, the total computed as they type, a mistake
// caught by the same rules as the server, then saved.
test.use({ storageState: NYC.state })

test('a manager enters a purchase by hand', async ({ page }) => {
  const orderId = `HAND-E2E-${uniq()}`
  await page.goto('/sales/new')
  await expect(page.getByRole('heading', { level: 1, name: 'Enter a sale' })).toBeVisible()
  await expect(page.getByText("In the store's time zone (America/New_York)")).toBeVisible()
  await page.getByLabel('Order number').fill(orderId)
  await page.getByLabel('Customer id').fill('CUST-42')

  const first = page.getByRole('group', { name: 'Item 1' })
  await first.getByLabel('Item id (SKU)').fill('MUG-BLUE')
  await first.getByLabel('Item name').fill('Blue mug')
  await first.getByLabel('Quantity').fill('2')
  await page.getByRole('button', { name: 'Add item' }).click()
  const second = page.getByRole('group', { name: 'Item 2' })
  await second.getByLabel('Item name').fill('Gift wrap')
  await second.getByLabel('Unit price').fill('1.50')

  // the price of item 1 is missing: the browser says so beside the field, nothing is sent
  await page.getByRole('button', { name: 'Save sale' }).click()
  await expect(first.getByText('Price is missing — enter the unit price')).toBeVisible()

  await first.getByLabel('Unit price').fill('12.50')
  await expect(page.getByTestId('sale-total')).toHaveText('Total: $26.50')
  await page.getByRole('button', { name: 'Save sale' }).click()
  await expect(page.getByRole('status').filter({ hasText: `Sale ${orderId} saved` })).toBeVisible()

  // the same order number twice is refused with a reason
  await page.getByLabel('Order number').fill(orderId)
  const again = page.getByRole('group', { name: 'Item 1' })
  await again.getByLabel('Item name').fill('Blue mug')
  await again.getByLabel('Unit price').fill('12.50')
  await page.getByRole('button', { name: 'Save sale' }).click()
  await expect(
    page.getByRole('alert').filter({ hasText: `Order ${orderId} is already recorded` }),
  ).toBeVisible()
})
