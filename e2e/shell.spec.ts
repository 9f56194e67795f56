import { expect, test } from '@playwright/test'
import { ADMIN } from './helpers'

test.describe('signed in as the admin', () => {
  test.use({ storageState: ADMIN.state })

  test('the dashboard shell shows every section and the health check answers', async ({ page, request }) => {
    const health = await request.get('/api/health')
    expect(health.ok()).toBe(true)
    expect(await health.json()).toMatchObject({ status: 'ok', database: { status: 'up' } })

    await page.goto('/')
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
    await expect(page.getByTestId('current-user')).toHaveText('Avery Admin')
    const nav = page.getByRole('navigation', { name: 'Main' })
    for (const section of ['Sales', 'Uploads', 'Batches', 'Settings']) {
      await nav.getByRole('link', { name: section }).click()
      await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible()
    }
  })

  test('an unknown address shows the not-found page with a way back', async ({ page }) => {
    const res = await page.goto('/no-such-page')
    expect(res?.status()).toBe(404)
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    await page.getByRole('link', { name: 'Back to the overview' }).click()
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
  })
})

test('an anonymous visitor is sent to sign in, and back where they were going afterwards', async ({
  page,
}) => {
  await page.goto('/sales')
  await expect(page).toHaveURL(/\/login\?next=%2Fsales/)
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Sales' })).toBeVisible()
})
