import { expect, type Page } from '@playwright/test'

export const ADMIN = {
  email: 'admin@demo.store',
  password: 'demo-admin-password',
  state: 'e2e/.auth/admin.json',
}
export const NYC = {
  email: 'nyc.manager@demo.store',
  password: 'demo-manager-password',
  state: 'e2e/.auth/nyc.json',
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

export async function signInAndLand(page: Page, email: string, password: string) {
  await signIn(page, email, password)
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
}

export const uniq = () => Math.random().toString(36).slice(2, 8).toUpperCase()
