import type { Browser, Page } from '@playwright/test'

import { checkA11y, expect, test } from './fixtures'

import {
  accountRegister,
  accountWithTwoFactor,
  emailVerifyFromMail,
  signInWithPassword,
  testAccountNew,
  type TestAccount,
} from './helpers'
import { reconciliationRun, staffRoleGrant } from './support/devstack'
import { blocksMine, faucetAddressNew, faucetReady, faucetSend } from './support/node'
import { freshTotp } from './support/totp'

/**
 * The staff journey against the real stack: a member's two withdrawals wait for review (both
 * above the devstack's approval threshold); a staff member (the role given with
 * `scripts/devstack manage user-service set_staff`, then a fresh sign-in) opens /staff, rejects
 * one with a reason, which the member sees on their wallet page, and approves the other; the
 * audit log shows both; the other staff pages render; a member who opens /staff is told the area
 * is for staff.
 *
 * Needs `make up` with wallet-service's WITHDRAWAL_APPROVAL_THRESHOLD_KOINU below 2.2 DOGE (the
 * devstack's regtest setting; the wallet test's 1.5 DOGE withdrawal stays under it).
 */

const DEPOSIT_KOINU = 600_000_000n // 6 DOGE
const REJECTED_INPUT = '2.5'
const APPROVED_INPUT = '2.2'
const REJECT_REASON = 'The address is on a scam report from 3 December'

/** A withdrawal through the wallet page's form, confirmed with a fresh code; returns the code's step. */
async function withdrawalRequest(
  page: Page,
  request: { address: string; amount: string; secret: string; usedCounter: number },
): Promise<number> {
  const form = page.getByRole('form', { name: 'Withdraw DOGE' })
  await form.getByLabel('Dogecoin address').fill(request.address)
  await form.getByLabel('Amount (DOGE)').fill(request.amount)
  await form.getByRole('button', { name: 'Review withdrawal' }).click()
  const review = page.getByRole('form', { name: 'Confirm withdrawal' })
  const { code, counter } = await freshTotp(request.secret, request.usedCounter)
  await review.getByLabel('Authentication code').fill(code)
  await review.getByRole('button', { name: 'Confirm withdrawal' }).click()
  await expect(
    page.getByRole('heading', { name: 'Your withdrawal is waiting for approval' }),
    'the withdrawal should wait for staff: is WITHDRAWAL_APPROVAL_THRESHOLD_KOINU below 2.2 DOGE on this stack?',
  ).toBeVisible({ timeout: 15_000 })
  await page.getByRole('button', { name: 'Make another withdrawal' }).click()
  return counter
}

/** A verified account with the staff role, signed in (after the role was given) in its own browser context. */
async function staffSignedIn(browser: Browser): Promise<{ staffPage: Page; staff: TestAccount }> {
  const context = await browser.newContext()
  const staffPage = await context.newPage()
  const staff = testAccountNew('e2e_staff')
  const registeredAt = await accountRegister(staffPage, staff)
  await emailVerifyFromMail(staffPage, staff, registeredAt)
  await staffRoleGrant(staff.username)
  await staffPage.goto('/staff')
  await expect(staffPage).toHaveURL(/\/sign-in\?next=(%2F|\/)staff$/)
  await signInWithPassword(staffPage, staff)
  await expect(staffPage).toHaveURL(/\/staff$/)
  return { staffPage, staff }
}

function queueRow(staffPage: Page, address: string) {
  return staffPage
    .getByRole('list', { name: 'Withdrawals to review' })
    .getByRole('listitem')
    .filter({ hasText: address })
}

test('a member’s withdrawals wait for review; staff reject one with a reason and approve the other', async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000)
  let secret = ''
  let usedCounter = -1
  let rejectedAddress = ''
  let approvedAddress = ''
  let rejectedId = ''
  let approvedId = ''

  const staffReady = staffSignedIn(browser)
  staffReady.catch(() => undefined) // awaited below, where a failure fails the test

  await test.step('a member with 2FA and 6 DOGE', async () => {
    const [twoFactor] = await Promise.all([
      accountWithTwoFactor(page, 'e2e_member'),
      faucetReady(DEPOSIT_KOINU + 100_000_000n),
    ])
    secret = twoFactor.secret
    usedCounter = twoFactor.usedCounter
    await page.goto('/wallet')
    await checkA11y(page)
    const depositAddress = (await page.getByTestId('deposit-address').textContent()) ?? ''
    await faucetSend(depositAddress, DEPOSIT_KOINU)
    // The live channel shows it by itself (no button to press while it is up).
    await expect(page.getByRole('list', { name: 'Deposits' }).getByRole('listitem')).toHaveCount(1, {
      timeout: 30_000,
    })
    await blocksMine(1)
    await expect(page.getByTestId('balance-available').locator('data')).toHaveAttribute(
      'value',
      DEPOSIT_KOINU.toString(),
      { timeout: 20_000 },
    )
  })

  await test.step('two withdrawals above the approval threshold wait for staff', async () => {
    rejectedAddress = await faucetAddressNew()
    approvedAddress = await faucetAddressNew()
    usedCounter = await withdrawalRequest(page, { address: rejectedAddress, amount: REJECTED_INPUT, secret, usedCounter })
    usedCounter = await withdrawalRequest(page, { address: approvedAddress, amount: APPROVED_INPUT, secret, usedCounter })
    const withdrawals = page.getByRole('list', { name: 'Withdrawals' }).getByRole('listitem')
    for (const address of [rejectedAddress, approvedAddress]) {
      await expect(withdrawals.filter({ hasText: address })).toHaveAttribute('data-withdrawal-status', 'awaiting_approval')
    }
  })

  await test.step('a member who opens /staff is told it is for staff', async () => {
    await page.getByRole('button', { name: /^Account menu for/ }).click()
    await expect(page.getByRole('link', { name: 'Staff', exact: true })).toHaveCount(0)
    await page.goto('/staff')
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('This area is for dBay staff')
    await expect(page.getByRole('navigation', { name: 'Staff sections' })).toHaveCount(0)
    await checkA11y(page)
    await page.goto('/staff/audit-log')
    await expect(page).toHaveURL(/\/staff$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('This area is for dBay staff')
  })

  const { staffPage } = await staffReady

  await test.step('staff see both in the review queue, with amount, member, address and why they wait', async () => {
    await expect(staffPage).toHaveTitle('Withdrawals to review · Staff · dBay')
    await expect(staffPage.getByRole('heading', { level: 1 })).toHaveText('Staff')
    await staffPage.getByRole('button', { name: /^Account menu for/ }).click()
    await expect(staffPage.getByRole('link', { name: 'Staff', exact: true })).toBeVisible()
    await staffPage.keyboard.press('Escape')

    // The queue was read when staff signed in, before the member asked: read it again.
    await staffPage.getByRole('button', { name: 'Check for new withdrawals' }).click()
    const rejected = queueRow(staffPage, rejectedAddress)
    const approved = queueRow(staffPage, approvedAddress)
    await expect(rejected).toHaveCount(1)
    await expect(approved).toHaveCount(1)
    await expect(rejected.locator('data').first()).toHaveAttribute('value', '250000000')
    await expect(approved.locator('data').first()).toHaveAttribute('value', '220000000')
    await expect(rejected.getByTestId('review-reason')).toHaveText('Above the amount that needs a staff approval.')
    await expect(rejected).toContainText('Awaiting approval')
    rejectedId = (await rejected.getAttribute('data-withdrawal-id')) ?? ''
    approvedId = (await approved.getAttribute('data-withdrawal-id')) ?? ''
    expect(rejectedId).toMatch(/^[0-9a-f-]{36}$/)
    expect(approvedId).toMatch(/^[0-9a-f-]{36}$/)
    await staffPage.screenshot({ path: 'test-results/staff-queue.png', fullPage: true })
    await checkA11y(staffPage)
  })

  await test.step('on a phone the queue fits the screen: no sideways scrolling, the sections scroll on their own', async () => {
    await staffPage.setViewportSize({ width: 390, height: 844 })
    await expect(queueRow(staffPage, rejectedAddress).getByRole('button', { name: /^Reject/ })).toBeVisible()
    expect(await staffPage.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await staffPage.screenshot({ path: 'test-results/staff-queue-mobile.png', fullPage: true })
    await checkA11y(staffPage)
    await staffPage.setViewportSize({ width: 1280, height: 800 })
  })

  await test.step('reject one: a reason is required, then it leaves the queue', async () => {
    await queueRow(staffPage, rejectedAddress).getByRole('button', { name: /^Reject/ }).click()
    const form = staffPage.getByRole('form', { name: 'Reject this withdrawal?' })
    const reason = form.getByLabel('Reason (shown to the member)')
    await expect(reason).toBeFocused()
    await form.getByRole('button', { name: 'Reject withdrawal' }).click()
    await expect(reason).toHaveAttribute('aria-invalid', 'true')
    await expect(form.getByText('Say why: the reason is kept with the action.')).toBeVisible()
    await checkA11y(staffPage)

    await reason.fill(REJECT_REASON)
    await form.getByRole('button', { name: 'Reject withdrawal' }).click()
    await expect(staffPage.getByRole('status').filter({ hasText: 'Rejected: Ð 2.5' })).toBeVisible()
    await expect(queueRow(staffPage, rejectedAddress)).toHaveCount(0)
    await expect(queueRow(staffPage, approvedAddress)).toHaveCount(1)
  })

  await test.step('approve the other after confirming', async () => {
    await queueRow(staffPage, approvedAddress).getByRole('button', { name: /^Approve/ }).click()
    const form = staffPage.getByRole('form', { name: 'Approve this withdrawal?' })
    await expect(form).toContainText(approvedAddress)
    await checkA11y(staffPage)
    await form.getByRole('button', { name: 'Approve withdrawal' }).click()
    await expect(staffPage.getByRole('status').filter({ hasText: 'Approved: Ð 2.2' })).toBeVisible()
    await expect(queueRow(staffPage, approvedAddress)).toHaveCount(0)
  })

  await test.step('the audit log shows both actions, newest first, with the reason', async () => {
    await staffPage.getByRole('navigation', { name: 'Staff sections' }).getByRole('link', { name: 'Audit log' }).click()
    await expect(staffPage).toHaveTitle('Audit log · Staff · dBay')
    const shortId = (id: string) => `${id.slice(0, 8)}…${id.slice(-8)}`
    const entries = staffPage.getByRole('list', { name: 'Audit log' }).getByRole('listitem')
    const approval = entries.filter({ hasText: `Withdrawal ${shortId(approvedId)}` })
    const rejection = entries.filter({ hasText: `Withdrawal ${shortId(rejectedId)}` })
    await expect(approval).toHaveCount(1)
    await expect(rejection).toHaveCount(1)
    await expect(approval).toHaveAttribute('data-action', 'withdrawal_approve')
    await expect(approval).toContainText('Approved a withdrawal')
    await expect(approval).toContainText('by you')
    await expect(rejection).toHaveAttribute('data-action', 'withdrawal_reject')
    await expect(rejection).toContainText('Rejected a withdrawal')
    await expect(rejection).toContainText(`Reason: ${REJECT_REASON}`)
    const actions = await entries.evaluateAll((items) => items.map((item) => item.getAttribute('data-action')))
    const order = await entries.evaluateAll(
      (items, ids) => items.map((item) => ids.findIndex((id) => item.textContent?.includes(id))).filter((at) => at >= 0),
      [shortId(approvedId), shortId(rejectedId)],
    )
    expect(actions.length).toBeGreaterThanOrEqual(2)
    expect(order).toEqual([0, 1])
    await staffPage.screenshot({ path: 'test-results/staff-audit-log.png', fullPage: true })
    await checkA11y(staffPage)
  })

  await test.step('the other staff pages: frozen wallets, suspense account, reconciliation', async () => {
    const nav = staffPage.getByRole('navigation', { name: 'Staff sections' })
    await nav.getByRole('link', { name: 'Frozen wallets' }).click()
    await expect(staffPage.getByRole('heading', { level: 2, name: 'Frozen wallets' })).toBeVisible()
    await expect(nav.getByRole('link', { name: 'Frozen wallets' })).toHaveAttribute('aria-current', 'page')
    await expect(staffPage.getByText(/No wallet is frozen\.|Unfreeze/).first()).toBeVisible()
    await checkA11y(staffPage)

    await nav.getByRole('link', { name: 'Suspense account' }).click()
    await expect(staffPage.getByRole('heading', { level: 2, name: 'Suspense account' })).toBeVisible()
    await expect(staffPage.getByTestId('suspense-balance').locator('data')).toHaveAttribute('value', /^-?\d+$/)
    await checkA11y(staffPage)

    expect([0, 1, 2]).toContain(await reconciliationRun())
    await nav.getByRole('link', { name: 'Reconciliation' }).click()
    await expect(staffPage.getByRole('heading', { level: 2, name: 'Reconciliation' })).toBeVisible()
    await expect(staffPage.getByTestId('reconciliation-status')).toContainText(/(Balanced|Needs attention)\s*Last run /)
    await expect(staffPage.getByRole('heading', { name: 'Findings' })).toBeVisible()
    await staffPage.screenshot({ path: 'test-results/staff-reconciliation.png', fullPage: true })
    await checkA11y(staffPage)
  })

  await test.step('the member sees the rejection with its reason, and the approved one on its way', async () => {
    await page.goto('/wallet')
    const withdrawals = page.getByRole('list', { name: 'Withdrawals' }).getByRole('listitem')
    const rejected = withdrawals.filter({ hasText: rejectedAddress })
    await expect(rejected).toHaveAttribute('data-withdrawal-status', 'rejected')
    await expect(rejected).toContainText(
      `Declined by our team: “${REJECT_REASON}” The amount and fee are back in your available balance.`,
    )
    await expect(withdrawals.filter({ hasText: approvedAddress })).toHaveAttribute(
      'data-withdrawal-status',
      /^(approved|signed|broadcast)$/,
    )
    await page.screenshot({ path: 'test-results/staff-member-wallet.png', fullPage: true })
    await checkA11y(page)
  })

  await staffPage.context().close()
})
