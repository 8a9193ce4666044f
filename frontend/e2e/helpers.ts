/**
 * Steps the browser tests share: a new account registered, verified with the link from the local
 * mail sink, signed in and protected with 2FA, through the real pages and the real user-service.
 */
import { randomBytes } from 'node:crypto'

import { expect, type Page } from '@playwright/test'

import { checkA11y } from './support/a11y'
import { mailWaitFor } from './support/mail'
import { freshTotp } from './support/totp'

export const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main', exact: true })

export interface TestAccount {
  username: string
  email: string
  password: string
  /** Random hex that makes this run's names unique. */
  suffix: string
}

/** Names no earlier run used: `<prefix>_<8 hex>`, at example.test. */
export function testAccountNew(prefix = 'e2e'): TestAccount {
  const suffix = randomBytes(4).toString('hex')
  const username = `${prefix}_${suffix}`
  return { username, email: `${username}@example.test`, password: `Quiet-harbour-${suffix}-lantern`, suffix }
}

/**
 * Fills in /register and submits; resolves with when it was sent (to find the mail after it).
 * With `screenshotPath`, photographs the filled-in form.
 */
export async function accountRegister(
  page: Page,
  account: TestAccount,
  options: { screenshotPath?: string } = {},
): Promise<number> {
  await page.goto('/register')
  await expect(page).toHaveTitle('Create an account · dBay')
  await checkA11y(page)
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Username', { exact: true }).fill(account.username)
  await page.getByLabel('Password', { exact: true }).fill(account.password)
  await expect(page.getByText(/^Strength: (Good|Strong)\./)).toBeVisible()
  if (options.screenshotPath !== undefined) {
    await page.screenshot({ path: options.screenshotPath, fullPage: true })
  }
  const registeredAt = Date.now()
  await page.getByRole('button', { name: 'Create account' }).click()

  // Registration hashes the password with Argon2id (19 MiB, about 20 ms alone): right after the stack
  // starts, with every worker still booting on two cores, the first one can take several seconds.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email', { timeout: 30_000 })
  // The page's own status, not a live region of the header (the search box's).
  await expect(page.getByRole('main').getByRole('status').first()).toContainText(account.email)
  await checkA11y(page)
  return registeredAt
}

/** Opens the verification link user-service mailed to the account (sent after `sinceMs`). */
export async function emailVerifyFromMail(page: Page, account: TestAccount, sinceMs: number): Promise<void> {
  const mail = await mailWaitFor(account.email, { sinceMs })
  const link = mail.links.map((href) => new URL(href)).find((url) => url.pathname === '/verify-email')
  expect(link, `a /verify-email link in:\n${mail.text}`).toBeDefined()
  expect(link?.searchParams.get('token')).toBeTruthy()

  // The link's host is whatever user-service was told the site is; the path is what matters.
  await page.goto(`${link?.pathname}${link?.search}`)

  const status = page.getByRole('main').getByRole('status')
  await expect(status).toContainText('Email verified')
  await expect(status).toContainText(account.email)
  await checkA11y(page)
}

/** On the sign-in page: the password step (by username unless `login` says otherwise). */
export async function signInWithPassword(page: Page, account: TestAccount, login = account.username): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in')
  await checkA11y(page)
  await page.getByLabel('Email or username').fill(login)
  await page.getByLabel('Password', { exact: true }).fill(account.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

export interface TwoFactorSecret {
  /** The base32 TOTP secret, as an authenticator app would store it. */
  secret: string
  /** The TOTP time step of the last code used: servers accept each code once. */
  usedCounter: number
}

/**
 * On /account: turns on 2FA with a code computed from the setup key, and saves the recovery
 * codes. With `screenshotPrefix`, photographs the enrolment and the recovery codes.
 */
export async function twoFactorTurnOn(
  page: Page,
  options: { screenshotPrefix?: string } = {},
): Promise<TwoFactorSecret> {
  const section = page.getByRole('region', { name: 'Two-factor authentication' })
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click()

  const qrCode = page.getByRole('img', { name: 'QR code to add dBay to your authenticator app' })
  await expect(qrCode).toBeVisible()
  // Drawn in the page: the secret never goes to a QR-code service.
  expect(await qrCode.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
  const secret = ((await page.getByTestId('two-factor-secret').textContent()) ?? '').replace(/\s+/g, '')
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
  await checkA11y(page)
  if (options.screenshotPrefix !== undefined) {
    await section.screenshot({ path: `${options.screenshotPrefix}-2fa-enrolment.png` })
    await page.screenshot({ path: `${options.screenshotPrefix}-2fa-enrolment-page.png`, fullPage: true })
  }

  const { code, counter } = await freshTotp(secret)
  await page.getByLabel('Authentication code').fill(code)
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click()

  await expect(page.getByText('Two-factor authentication is on')).toBeVisible()
  await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10)
  await checkA11y(page)
  if (options.screenshotPrefix !== undefined) {
    await section.screenshot({ path: `${options.screenshotPrefix}-2fa-recovery-codes.png` })
  }
  await page.getByRole('button', { name: 'I’ve saved my codes' }).click()

  await expect(page.getByRole('button', { name: 'Turn off' })).toBeVisible()
  return { secret, usedCounter: counter }
}

/**
 * A new user, signed in with 2FA on, left on /account: register, verify the email, sign in
 * (through the sign-in redirect of /account), turn on 2FA.
 */
export async function accountWithTwoFactor(
  page: Page,
  prefix = 'e2e',
): Promise<{ account: TestAccount } & TwoFactorSecret> {
  const account = testAccountNew(prefix)
  const registeredAt = await accountRegister(page, account)
  await emailVerifyFromMail(page, account, registeredAt)
  await page.goto('/account')
  await expect(page).toHaveURL(/\/sign-in\?next=(%2F|\/)account$/)
  await signInWithPassword(page, account)
  await expect(page).toHaveURL(/\/account$/)
  const twoFactor = await twoFactorTurnOn(page)
  return { account, ...twoFactor }
}
