import { test as setup } from '@playwright/test'
import { ADMIN, NYC, signInAndLand } from './helpers'

// One sign-in per role; the specs reuse these sessions.
for (const who of [ADMIN, NYC]) {
  setup(`sign in as ${who.email}`, async ({ page }) => {
    await signInAndLand(page, who.email, who.password)
    await page.context().storageState({ path: who.state })
  })
}
