import { randomBytes } from 'node:crypto'

import { expect, test, type Page } from '@playwright/test'

import { mailWaitFor } from './support/mail'
import { freshTotp } from './support/totp'

/**
 * The account journey against the real stack through the gateway: register → verify the email
 * from the link in the local mail sink → sign in → set up 2FA → sign out → sign in with a code,
 * and the public seller profile of the new user. Needs user-service, its worker (which sends the
 * mail) and the SMTP sink running (`make up`), and a build of this app for the gateway to serve.
 */

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main', exact: true })

test('register, verify, sign in, turn on 2FA, sign out and sign in with a code', async ({ page }) => {
  test.setTimeout(180_000)
  const suffix = randomBytes(4).toString('hex')
  const username = `e2e_${suffix}`
  const email = `${username}@example.test`
  const password = `Quiet-harbour-${suffix}-lantern`
  const displayName = `E2E Seller ${suffix}`
  let registeredAt = 0
  let secret = ''
  let usedCounter = -1

  await test.step('register', async () => {
    await page.goto('/register')
    await expect(page).toHaveTitle('Create an account · dBay')
    await page.getByLabel('Email', { exact: true }).fill(email)
    await page.getByLabel('Username', { exact: true }).fill(username)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await expect(page.getByText(/^Strength: (Good|Strong)\./)).toBeVisible()
    await page.screenshot({ path: 'test-results/account-register.png', fullPage: true })
    registeredAt = Date.now()
    await page.getByRole('button', { name: 'Create account' }).click()

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email')
    await expect(page.getByRole('status').first()).toContainText(email)
  })

  await test.step('verify the email with the link from the mail sink', async () => {
    const mail = await mailWaitFor(email, { sinceMs: registeredAt })
    const link = mail.links.map((href) => new URL(href)).find((url) => url.pathname === '/verify-email')
    expect(link, `a /verify-email link in:\n${mail.text}`).toBeDefined()
    expect(link?.searchParams.get('token')).toBeTruthy()

    // The link's host is whatever user-service was told the site is; the path is what matters.
    await page.goto(`${link?.pathname}${link?.search}`)

    await expect(page.getByRole('status')).toContainText('Email verified')
    await expect(page.getByRole('status')).toContainText(email)
  })

  await test.step('sign in: /account sends a signed-out visitor to sign-in and back', async () => {
    await page.goto('/account')
    await expect(page).toHaveURL(/\/sign-in\?next=(%2F|\/)account$/)
    await page.screenshot({ path: 'test-results/account-sign-in.png', fullPage: true })
    await page.getByLabel('Email or username').fill(username)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()

    await expect(page).toHaveURL(/\/account$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account')
    await expect(mainNav(page).getByRole('button', { name: `Account menu for ${username}` })).toBeVisible()
    await expect(page.getByText('Please verify your email')).toHaveCount(0)
  })

  await test.step('the session survives a reload (silent refresh with the cookie)', async () => {
    await page.reload()

    await expect(page).toHaveURL(/\/account$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account')
    const devices = page.getByRole('list', { name: 'Signed-in devices' })
    await expect(devices.getByText('This device')).toBeVisible()
  })

  await test.step('save a display name', async () => {
    await page.getByLabel('Display name (optional)').fill(displayName)
    await page.getByRole('button', { name: 'Save profile' }).click()

    await expect(page.getByText('Profile saved.')).toBeVisible()
  })

  await test.step('turn on two-factor authentication', async () => {
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click()

    const qrCode = page.getByRole('img', { name: 'QR code to add dBay to your authenticator app' })
    await expect(qrCode).toBeVisible()
    // Drawn in the page: the secret never goes to a QR-code service.
    expect(await qrCode.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    secret = ((await page.getByTestId('two-factor-secret').textContent()) ?? '').replace(/\s+/g, '')
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
    await page
      .getByRole('region', { name: 'Two-factor authentication' })
      .screenshot({ path: 'test-results/account-2fa-enrolment.png' })
    await page.screenshot({ path: 'test-results/account-2fa-enrolment-page.png', fullPage: true })

    const { code, counter } = await freshTotp(secret)
    usedCounter = counter
    await page.getByLabel('Authentication code').fill(code)
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click()

    await expect(page.getByText('Two-factor authentication is on')).toBeVisible()
    await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10)
    await page
      .getByRole('region', { name: 'Two-factor authentication' })
      .screenshot({ path: 'test-results/account-2fa-recovery-codes.png' })
    await page.getByRole('button', { name: 'I’ve saved my codes' }).click()

    await expect(page.getByRole('button', { name: 'Turn off' })).toBeVisible()
  })

  await test.step('sign out from the header menu', async () => {
    await mainNav(page).getByRole('button', { name: `Account menu for ${username}` }).click()
    await mainNav(page).getByRole('button', { name: 'Sign out', exact: true }).click()

    await expect(page).toHaveURL(/\/$/)
    await expect(mainNav(page).getByRole('link', { name: 'Sign in' })).toBeVisible()

    // The refresh cookie is gone too: a reload does not sign back in.
    await page.goto('/account')
    await expect(page).toHaveURL(/\/sign-in\?next=/)
  })

  await test.step('sign in again, now with a code from the authenticator', async () => {
    await page.getByLabel('Email or username').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-factor authentication')
    const { code } = await freshTotp(secret, usedCounter)
    await page.getByLabel('Authentication code').fill(code)
    await page.getByRole('button', { name: 'Verify' }).click()

    await expect(page).toHaveURL(/\/account$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account')
    await expect(page.getByRole('region', { name: 'Two-factor authentication' })).toContainText(
      'Signing in asks for a code from your authenticator app.',
    )
  })

  await test.step('the public seller profile, signed out', async () => {
    await page.context().clearCookies()
    const sellerPage = await page.context().newPage()
    await sellerPage.goto(`/sellers/${username}`)

    await expect(sellerPage.getByRole('heading', { level: 1 })).toHaveText(displayName)
    await expect(sellerPage).toHaveTitle(`${displayName} · dBay`)
    await expect(sellerPage.getByText(`@${username}`)).toBeVisible()
    const memberSince = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric' }).format(new Date())
    await expect(sellerPage.getByRole('definition')).toHaveText([memberSince, 'No ratings yet', '0 listings'])
    await sellerPage.screenshot({ path: 'test-results/account-seller.png', fullPage: true })
  })
})
