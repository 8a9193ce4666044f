import { checkA11y, expect, test } from './fixtures'

import { accountRegister, emailVerifyFromMail, mainNav, signInWithPassword, testAccountNew } from './helpers'
import { mailWaitFor } from './support/mail'
import { blocksMine, faucetReady, faucetSend } from './support/node'

/**
 * The live channel on the real stack: a deposit sent from the regtest node appears on the wallet
 * page that is already open (no click, no reload), the bell counts its notifications, and the
 * "Deposit credited" email's unsubscribe link works in a browser that is not signed in.
 *
 * Needs the whole stack (`make up`): the gateway's /ws/ to notification-service's live server,
 * its consumer and mailer, wallet-service's chain follower, the SMTP sink, the regtest node.
 */

const DEPOSIT_KOINU = 200_000_000n // 2 DOGE

test('a deposit appears on the open wallet page by itself, and the emailed unsubscribe link works signed out', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000)
  const account = testAccountNew('e2e_live')
  const bell = () => mainNav(page).getByTestId('notification-bell')

  await test.step('a new member with a verified email opens the wallet', async () => {
    const [registeredAt] = await Promise.all([accountRegister(page, account), faucetReady(DEPOSIT_KOINU + 100_000_000n)])
    await emailVerifyFromMail(page, account, registeredAt)
    await page.goto('/wallet')
    await signInWithPassword(page, account)
    await expect(page).toHaveURL(/\/wallet$/)
    // The live channel is up: the page says so and offers no "Check for deposits" button.
    await expect(page.getByText('Updating live')).toBeVisible({ timeout: 15_000 })
    await expect(page.getByRole('button', { name: 'Check for deposits' })).toHaveCount(0)
    await expect(bell()).toHaveAttribute('aria-label', 'Notifications')
    await checkA11y(page)
  })

  await test.step('send 2 DOGE from the node: it shows at once, without a click or a reload', async () => {
    const address = (await page.getByTestId('deposit-address').textContent()) ?? ''
    const navigations: string[] = []
    page.on('framenavigated', (frame) => navigations.push(frame.url()))
    const sentAt = Date.now()
    await faucetSend(address, DEPOSIT_KOINU)
    const deposit = page.getByRole('list', { name: 'Deposits' }).getByRole('listitem').first()
    await expect(deposit).toHaveAttribute('data-deposit-status', 'pending', { timeout: 10_000 })
    const shownMs = Date.now() - sentAt
    test.info().annotations.push({ type: 'deposit shown after send (ms)', description: String(shownMs) })
    console.log(`deposit shown on the open wallet page ${shownMs} ms after sendtoaddress returned`)
    // The node has seen it by the time sendtoaddress answers. The goal is under a second:
    // about 0.5 s when this test runs alone, about 1.2 s with two other browser tests running on
    // the two cores; a bound of 2 s still fails a page that waits for a poll.
    expect(shownMs).toBeLessThan(2_000)
    await expect(deposit.locator('data')).toHaveAttribute('value', DEPOSIT_KOINU.toString())
    await expect(page.getByTestId('balance-incoming').locator('data')).toHaveAttribute('value', DEPOSIT_KOINU.toString())
    expect(navigations).toEqual([])
    // The notification-service told the bell too (deposit seen).
    await expect(bell()).toHaveAttribute('aria-label', 'Notifications, 1 unread', { timeout: 5_000 })
  })

  const creditedAt = Date.now()
  await test.step('mine a block: credited by itself, and the bell counts it', async () => {
    await blocksMine(1)
    const deposit = page.getByRole('list', { name: 'Deposits' }).getByRole('listitem').first()
    await expect(deposit).toHaveAttribute('data-deposit-status', 'credited', { timeout: 10_000 })
    await expect(page.getByTestId('balance-available').locator('data')).toHaveAttribute('value', DEPOSIT_KOINU.toString())
    await expect(bell()).toHaveAttribute('aria-label', 'Notifications, 2 unread', { timeout: 5_000 })
  })

  await test.step('the bell lists them; the notifications page marks all read', async () => {
    await bell().click()
    const latest = page.getByRole('list', { name: 'Latest notifications' })
    await expect(latest.getByRole('listitem')).toHaveCount(2)
    await expect(latest.getByRole('listitem').first()).toContainText('Deposit of 2 DOGE credited')
    await checkA11y(page)
    await page.getByRole('link', { name: 'See all notifications' }).click()
    await expect(page).toHaveURL(/\/notifications$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notifications')
    await checkA11y(page)
    await page.getByRole('main').getByRole('button', { name: 'Mark all read' }).click()
    await expect(bell()).toHaveAttribute('aria-label', 'Notifications')
  })

  let unsubscribeUrl = ''
  await test.step('the "Deposit credited" email has an unsubscribe link', async () => {
    const mail = await mailWaitFor(account.email, { sinceMs: creditedAt, timeoutMs: 60_000 })
    expect(mail.subject).toMatch(/credited/i)
    const link = mail.links.map((href) => new URL(href)).find((url) => url.pathname === '/unsubscribe')
    expect(link, `an /unsubscribe link in:\n${mail.text}`).toBeDefined()
    unsubscribeUrl = `${link?.pathname}${link?.search}`
  })

  await test.step('in a browser that is not signed in, the link turns that email off', async () => {
    const context = await browser.newContext()
    const signedOut = await context.newPage()
    await signedOut.goto(unsubscribeUrl)
    await expect(signedOut.getByRole('heading', { level: 1 })).toHaveText('Unsubscribe from emails')
    await expect(signedOut.getByText(/This turns off emails about “Deposit credited” to /)).toBeVisible()
    await checkA11y(signedOut)
    await signedOut.getByRole('button', { name: 'Unsubscribe' }).click()
    await expect(signedOut.getByText('You’re unsubscribed')).toBeVisible()
    await checkA11y(signedOut)
    await context.close()
  })

  await test.step('the member’s settings show it off', async () => {
    await page.goto('/account/notifications')
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notification settings')
    const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Deposit credited' }) })
    await expect(row.getByLabel('Email')).toHaveValue('off')
    await checkA11y(page)
  })
})
