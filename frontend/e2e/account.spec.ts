import { checkA11y, expect, test } from './fixtures'

import {
  accountRegister,
  emailVerifyFromMail,
  mainNav,
  signInWithPassword,
  testAccountNew,
  twoFactorTurnOn,
} from './helpers'
import { freshTotp } from './support/totp'

/**
 * The account journey against the real stack through the gateway: register → verify the email
 * from the link in the local mail sink → sign in → set up 2FA → sign out → sign in with a code,
 * and the public seller profile of the new user. Needs user-service, its worker (which sends the
 * mail) and the SMTP sink running (`make up`), and a build of this app for the gateway to serve.
 */

test('register, verify, sign in, turn on 2FA, sign out and sign in with a code', async ({ page }) => {
  test.setTimeout(180_000)
  const account = testAccountNew()
  const { username, email } = account
  const displayName = `E2E Seller ${account.suffix}`
  let registeredAt = 0
  let secret = ''
  let usedCounter = -1

  await test.step('register', async () => {
    registeredAt = await accountRegister(page, account, { screenshotPath: 'test-results/account-register.png' })
  })

  await test.step('verify the email with the link from the mail sink', async () => {
    await emailVerifyFromMail(page, account, registeredAt)
  })

  await test.step('sign in: /account sends a signed-out visitor to sign-in and back', async () => {
    await page.goto('/account')
    await expect(page).toHaveURL(/\/sign-in\?next=(%2F|\/)account$/)
    await page.screenshot({ path: 'test-results/account-sign-in.png', fullPage: true })
    await signInWithPassword(page, account)

    await expect(page).toHaveURL(/\/account$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account')
    await expect(mainNav(page).getByRole('button', { name: `Account menu for ${username}` })).toBeVisible()
    await expect(page.getByText('Please verify your email')).toHaveCount(0)
    await checkA11y(page)
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
    const twoFactor = await twoFactorTurnOn(page, { screenshotPrefix: 'test-results/account' })
    secret = twoFactor.secret
    usedCounter = twoFactor.usedCounter
  })

  await test.step('sign out from the header menu', async () => {
    await mainNav(page).getByRole('button', { name: `Account menu for ${username}` }).click()
    await mainNav(page).getByRole('button', { name: 'Sign out', exact: true }).click()

    await expect(page).toHaveURL(/\/$/)
    await expect(mainNav(page).getByRole('link', { name: 'Sign in' })).toBeVisible()
    await checkA11y(page)

    // The refresh cookie is gone too: a reload does not sign back in.
    await page.goto('/account')
    await expect(page).toHaveURL(/\/sign-in\?next=/)
  })

  await test.step('sign in again, now with a code from the authenticator', async () => {
    await signInWithPassword(page, account, email)

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-factor authentication')
    await checkA11y(page)
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
    await checkA11y(sellerPage)
  })
})
