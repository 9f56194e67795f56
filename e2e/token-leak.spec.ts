import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { PRODUCT_LOG } from '../playwright.config'
import { ADMIN, NYC } from './helpers'

// Runs after every other spec: the Constructor token must not appear in any page's HTML or RSC
// payload, for any role, nor anywhere in the output of the whole run (web, worker, sandbox).
const TOKEN = process.env.E2E_SANDBOX_TOKEN ?? ''
const FORMS = [TOKEN, Buffer.from(`${TOKEN}:`).toString('base64'), encodeURIComponent(TOKEN)]
const PAGES = [
  '/',
  '/sales',
  '/failures',
  '/sales/new',
  '/uploads',
  '/batches',
  '/audit',
  '/operations',
  '/settings',
  '/settings/stores',
  '/settings/users',
  '/settings/connection',
  '/settings/api-keys',
  '/sandbox',
  '/login',
  '/logout',
  '/change-password',
  '/api/auth/session',
]

// every page without a dynamic segment must be in PAGES, so a new page cannot skip the scan
test('the scan covers every static page of the app', () => {
  const found: string[] = []
  const walk = (dir: string, route: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) {
        if (entry.name === 'page.tsx') found.push(route || '/')
        continue
      }
      if (entry.name.startsWith('[')) continue
      const segment = entry.name.startsWith('(') ? '' : `/${entry.name}`
      walk(path.join(dir, entry.name), route + segment)
    }
  }
  walk(path.resolve('app'), '')
  expect(found.filter((p) => !PAGES.includes(p))).toEqual([])
})

for (const who of [ADMIN, NYC]) {
  test.describe(`pages as ${who.email}`, () => {
    test.use({ storageState: who.state })

    test('never carry the token in HTML or RSC', async ({ request }) => {
      expect(TOKEN.length).toBeGreaterThan(10)
      const variants: Record<string, string>[] = [{}, { RSC: '1' }]
      let rendered = 0
      for (const path of PAGES) {
        for (const headers of variants) {
          const res = await request.get(path, { headers, maxRedirects: 0 })
          const body = await res.text()
          // a page the role may not see answers 404 with the rendered not-found page: scanned all the same
          if ((res.status() === 200 || res.status() === 404) && body.length > 0) rendered++
          for (const form of FORMS)
            expect(body.includes(form), `${path} ${JSON.stringify(headers)}`).toBe(false)
        }
      }
      expect(rendered).toBeGreaterThan(10)
    })
  })
}

test('the logs of the whole run never carry the token', async () => {
  const log = fs.readFileSync(PRODUCT_LOG, 'utf8')
  // the log really is the run's: the web app and the sandbox both wrote to it
  expect(log).toContain('Storefront Sync is running')
  for (const form of FORMS) expect(log.includes(form)).toBe(false)
})
