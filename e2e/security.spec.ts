import { expect, test } from '@playwright/test'
import { ADMIN, NYC, signInAndLand } from './helpers'

test('every response carries the security headers', async ({ request }) => {
  for (const url of ['/login', '/api/health']) {
    const res = await request.get(url)
    const csp = res.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-eval')
    // scripts only with this response's nonce: no inline script runs without it
    const scripts = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? ''
    expect(scripts).toMatch(/'nonce-[A-Za-z0-9+/=]+'/)
    expect(scripts).not.toContain('unsafe-inline')
    expect(res.headers()['x-content-type-options']).toBe('nosniff')
    expect(res.headers()['referrer-policy']).toBe('strict-origin-when-cross-origin')
    expect(res.headers()['x-frame-options']).toBe('DENY')
  }
})

test('an inline script injected into a page does not run, while the page itself works', async ({ page }) => {
  // an attacker's inline script in the HTML (as a stored or reflected injection would put it there)
  await page.route('**/login', async (route) => {
    const res = await route.fetch()
    const html = (await res.text()).replace('</body>', '<script>window.__injected = true</script></body>')
    await route.fulfill({ response: res, body: html })
  })
  const violations: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text())
  })
  const res = await page.goto('/login')
  const nonce = /'nonce-([^']+)'/.exec(res?.headers()['content-security-policy'] ?? '')?.[1]
  expect(nonce).toBeTruthy()
  // Next's own scripts carry the nonce, so the page hydrates: the form validates in the browser
  expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByText('Enter your email address')).toBeVisible()
  expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected)).toBeUndefined()
  expect(violations.join('\n')).toMatch(/script/i)
  // a second response has another nonce
  const again = await page.request.get('/login')
  expect(again.headers()['content-security-policy']).not.toContain(`'nonce-${nonce}'`)
})

test.describe('as a store manager', () => {
  test.use({ storageState: NYC.state })

  test('settings are not there for them', async ({ page }) => {
    await page.goto('/')
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }),
    ).toHaveCount(0)
    for (const path of ['/settings', '/settings/stores', '/settings/users', '/settings/connection']) {
      await page.goto(path)
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    }
  })

  test('what is not theirs answers 404, exactly like what does not exist', async ({ page, browser }) => {
    // another store's real sale, as the admin sees it
    const admin = await browser.newContext({ storageState: ADMIN.state })
    const adminPage = await admin.newPage()
    await adminPage.goto('/sales?store=BER-001')
    const href = await adminPage.locator('tbody a[href^="/sales/"]').first().getAttribute('href')
    await admin.close()
    expect(href).toMatch(/^\/sales\/[0-9a-f-]{36}$/)
    const madeUp = '0192f0aa-0000-7000-8000-000000000000'
    const paths = [
      href as string,
      `/sales/${madeUp}`,
      `/batches/${madeUp}`,
      `/uploads/${madeUp}`,
      '/?store=BER-001',
      '/?store=NOPE-999',
      '/settings',
      '/settings/users',
      '/operations',
    ]
    for (const path of paths) {
      const res = await page.goto(path)
      expect.soft(res?.status(), path).toBe(404)
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    }
    // and what is theirs still answers 200
    expect((await page.goto('/sales'))?.status()).toBe(200)
    expect((await page.goto('/?store=NYC-001'))?.status()).toBe(200)
  })

  test('only their own store shows on the sales page', async ({ page }) => {
    await page.goto('/sales')
    await expect(page.getByRole('cell', { name: 'NYC-001' }).first()).toBeVisible()
    await expect(page.getByRole('cell', { name: /BER-001|SYD-001/ })).toHaveCount(0)
  })
})

test.describe('as the admin', () => {
  test.use({ storageState: ADMIN.state })

  test('a server action posted with Origin: null is refused; the same from this origin works', async ({
    page,
    request,
  }) => {
    await page.goto('/settings/connection')
    await expect(page.getByPlaceholder(/set, ends …/)).toBeVisible()
    const captured = page.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action']))
    await page.getByRole('button', { name: 'Test connection' }).click()
    const action = await captured
    await expect(page.getByText('Test connection: it works')).toBeVisible()
    await page.reload()
    const before = await page.getByTestId('last-test').textContent()

    const headers = { ...action.headers(), origin: 'null' }
    const refused = await request.post(action.url(), { headers, data: action.postData() ?? '' })
    expect(refused.status()).toBe(500)
    await page.reload()
    expect(await page.getByTestId('last-test').textContent()).toBe(before)

    const control = await request.post(action.url(), {
      headers: { ...action.headers(), origin: new URL(action.url()).origin },
      data: action.postData() ?? '',
    })
    expect(control.status()).toBe(200)
  })

  test('the connection form never shows the token, only its last four characters', async ({ page }) => {
    await page.goto('/settings/connection')
    const token = page.getByLabel('API token')
    await expect(token).toHaveValue('')
    await expect(token).toHaveAttribute('type', 'password')
    const hint = (process.env.E2E_SANDBOX_TOKEN ?? '').slice(-4)
    await expect(page.getByText(`A token is set (ends …${hint}). Leave empty to keep it.`)).toBeVisible()
  })
})

test('signing out ends the session, and the old cookie no longer works', async ({ page, context }) => {
  await signInAndLand(page, 'berlin.manager@demo.store', 'demo-manager-password')
  const cookies = await context.cookies()
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)
  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)
  // a copy of the cookie taken before signing out is refused too (sessionVersion was bumped)
  await context.addCookies(cookies)
  await page.goto('/sales')
  await expect(page).toHaveURL(/\/login/)
})
