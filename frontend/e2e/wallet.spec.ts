import type { Page } from '@playwright/test'

import { checkA11y, expect, test } from './fixtures'

import { accountWithTwoFactor } from './helpers'
import {
  blocksMine,
  faucetAddressNew,
  faucetReady,
  faucetReceivedKoinu,
  faucetSend,
  outputsPaying,
} from './support/node'
import { freshTotp } from './support/totp'

/**
 * The wallet journey against the real stack and the real regtest node: a new user with 2FA sends
 * DOGE from the node to their deposit address, sees it incoming, sees it credited once a block is
 * mined, withdraws part of it to a node address with a fresh authenticator code, and the node
 * receives exactly that amount once the signer's transaction is mined.
 *
 * Needs `make up` (gateway, user-service and its mail worker, wallet-service with its chain
 * follower and signer, the regtest node) and a fresh `npm run build`. Amounts are small: the
 * shared regtest chain halves its block reward every 150 blocks.
 */

const DEPOSIT_KOINU = 300_000_000n // 3 DOGE
const WITHDRAWAL_KOINU = 150_000_000n // 1.5 DOGE
const WITHDRAWAL_INPUT = '1.5'
/** A valid mainnet address: refused on the regtest stack as another network's. */
const MAINNET_ADDRESS = 'DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L'

/** A full-page screenshot from the top, so the sticky header sits where it belongs. */
async function pageScreenshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)')
  await page.screenshot({ path: `test-results/${name}.png`, fullPage: true })
}

/** The exact koinu of a balance card (`<data value>` of BaseMoney). */
function balanceKoinu(page: Page, name: 'available' | 'held' | 'incoming') {
  return page.getByTestId(`balance-${name}`).locator('data')
}

test('deposit from the node, see it incoming and credited, withdraw with 2FA, find it on chain', async ({ page }) => {
  test.setTimeout(300_000)
  let secret = ''
  let usedCounter = -1
  let depositAddress = ''
  let destination = ''
  let feeKoinu = 0n
  let withdrawalTxid = ''

  await test.step('a new user with 2FA on, and a funded faucet wallet on the node', async () => {
    const [twoFactor] = await Promise.all([
      accountWithTwoFactor(page, 'e2e_wallet'),
      faucetReady(DEPOSIT_KOINU + 100_000_000n),
    ])
    secret = twoFactor.secret
    usedCounter = twoFactor.usedCounter
  })

  await test.step('the wallet page: empty balances and a deposit address with its QR code', async () => {
    await page.goto('/wallet')

    await expect(page).toHaveTitle('Wallet · dBay')
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Wallet')
    await expect(balanceKoinu(page, 'available')).toHaveAttribute('value', '0')
    await expect(balanceKoinu(page, 'held')).toHaveAttribute('value', '0')
    await expect(balanceKoinu(page, 'incoming')).toHaveAttribute('value', '0')
    const address = page.getByTestId('deposit-address')
    await expect(address).toHaveText(/^[mn2][1-9A-HJ-NP-Za-km-z]{25,34}$/)
    depositAddress = (await address.textContent()) ?? ''
    await expect(page.getByRole('link', { name: 'Open your deposit address in a Dogecoin wallet app' })).toHaveAttribute(
      'href',
      `dogecoin:${depositAddress}`,
    )
    await expect(
      page.getByRole('form', { name: 'Withdraw DOGE' }).getByLabel('Dogecoin address'),
    ).toHaveAttribute('placeholder', 'm… or n…')
    const qrCode = page.getByRole('img', { name: 'QR code of your deposit address' })
    await expect(qrCode).toBeVisible()
    expect(await qrCode.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    await expect(page.getByText('Regtest network: test coins only')).toBeVisible()
    await pageScreenshot(page, 'wallet-empty')
    await checkA11y(page)
  })

  await test.step('send 3 DOGE from the node: incoming at 0 confirmations', async () => {
    await faucetSend(depositAddress, DEPOSIT_KOINU)

    // No click and no reload: the live channel brings it (e2e/live.spec.ts times it).
    const deposits = page.getByRole('list', { name: 'Deposits' })
    await expect(deposits.getByRole('listitem')).toHaveCount(1, { timeout: 30_000 })
    const deposit = deposits.getByRole('listitem').first()
    await expect(deposit).toHaveAttribute('data-deposit-status', 'pending')
    await expect(deposit).toContainText('Seen on the network · 0 of 1 confirmation')
    await expect(deposit.locator('data')).toHaveAttribute('value', DEPOSIT_KOINU.toString())
    await expect(balanceKoinu(page, 'incoming')).toHaveAttribute('value', DEPOSIT_KOINU.toString())
    await expect(balanceKoinu(page, 'available')).toHaveAttribute('value', '0')
    await expect(page.getByText('Updating live')).toBeVisible()
    await pageScreenshot(page, 'wallet-incoming')
  })

  await test.step('mine a block: credited, and the page updates by itself', async () => {
    await blocksMine(1)

    const deposit = page.getByRole('list', { name: 'Deposits' }).getByRole('listitem').first()
    await expect(deposit).toHaveAttribute('data-deposit-status', 'credited', { timeout: 20_000 })
    await expect(deposit).toContainText('Credited')
    await expect(balanceKoinu(page, 'available')).toHaveAttribute('value', DEPOSIT_KOINU.toString())
    await expect(balanceKoinu(page, 'incoming')).toHaveAttribute('value', '0')
    const history = page.getByRole('list', { name: 'History' })
    await expect(history.getByRole('listitem').first()).toContainText('Deposit')
    await expect(history.getByRole('listitem').first().locator('data')).toHaveAttribute(
      'value',
      DEPOSIT_KOINU.toString(),
    )
  })

  await test.step('Max fills in the available balance minus the fee', async () => {
    const form = page.getByRole('form', { name: 'Withdraw DOGE' })
    await form.getByRole('button', { name: 'Max: all I can withdraw' }).click()
    await expect(form.getByLabel('Amount (DOGE)')).toHaveValue('2.99')
    await checkA11y(page)
  })

  await test.step('an address that cannot be paid is refused on its field, before any code is asked', async () => {
    const form = page.getByRole('form', { name: 'Withdraw DOGE' })
    const addressField = form.getByLabel('Dogecoin address')
    await form.getByLabel('Amount (DOGE)').fill(WITHDRAWAL_INPUT)
    for (const [address, message] of [
      [
        depositAddress,
        'This is one of your own deposit addresses: DOGE sent there would come straight back to your wallet.',
      ],
      [MAINNET_ADDRESS, null],
    ] as const) {
      await addressField.fill(address)
      await form.getByRole('button', { name: 'Review withdrawal' }).click()
      await expect(addressField).toHaveAttribute('aria-invalid', 'true')
      if (message !== null) {
        await expect(form.getByText(message)).toBeVisible()
      }
      await expect(page.getByRole('form', { name: 'Confirm withdrawal' })).toHaveCount(0)
      await expect(page.getByLabel('Authentication code')).toHaveCount(0)
    }
    await checkA11y(page)
  })

  await test.step('withdraw 1.5 DOGE to a node address: fee and total shown, then a fresh code', async () => {
    destination = await faucetAddressNew()
    const form = page.getByRole('form', { name: 'Withdraw DOGE' })
    await form.getByLabel('Dogecoin address').fill(destination)
    await form.getByLabel('Amount (DOGE)').fill(WITHDRAWAL_INPUT)
    await form.getByRole('button', { name: 'Review withdrawal' }).click()

    const review = page.getByRole('form', { name: 'Confirm withdrawal' })
    await expect(review.getByTestId('withdrawal-amount').locator('data')).toHaveAttribute(
      'value',
      WITHDRAWAL_KOINU.toString(),
    )
    feeKoinu = BigInt((await review.getByTestId('withdrawal-fee').locator('data').getAttribute('value')) ?? '0')
    expect(feeKoinu).toBeGreaterThan(0n)
    await expect(review.getByTestId('withdrawal-total').locator('data')).toHaveAttribute(
      'value',
      (WITHDRAWAL_KOINU + feeKoinu).toString(),
    )
    await page
      .getByRole('region', { name: 'Withdraw' })
      .screenshot({ path: 'test-results/wallet-withdrawal-review.png' })

    const { code, counter } = await freshTotp(secret, usedCounter)
    usedCounter = counter
    await review.getByLabel('Authentication code').fill(code)
    await review.getByRole('button', { name: 'Confirm withdrawal' }).click()

    await expect(page.getByRole('heading', { name: 'Withdrawal requested' })).toBeVisible()
    await expect(balanceKoinu(page, 'available')).toHaveAttribute(
      'value',
      (DEPOSIT_KOINU - WITHDRAWAL_KOINU - feeKoinu).toString(),
    )
    await expect(balanceKoinu(page, 'held')).toHaveAttribute('value', (WITHDRAWAL_KOINU + feeKoinu).toString())
  })

  await test.step('the signer broadcasts it', async () => {
    const withdrawal = page.getByRole('list', { name: 'Withdrawals' }).getByRole('listitem').first()
    await expect(withdrawal).toHaveAttribute('data-withdrawal-status', 'broadcast', { timeout: 60_000 })
    await expect(withdrawal).toContainText(destination)
    withdrawalTxid = (await withdrawal.getByTestId('withdrawal-txid').getAttribute('data-txid')) ?? ''
    expect(withdrawalTxid).toMatch(/^[0-9a-f]{64}$/)
    await pageScreenshot(page, 'wallet-withdrawal-broadcast')
  })

  await test.step('mine a block: confirmed, and the node received exactly 1.5 DOGE', async () => {
    await blocksMine(1)

    const withdrawal = page.getByRole('list', { name: 'Withdrawals' }).getByRole('listitem').first()
    await expect(withdrawal).toHaveAttribute('data-withdrawal-status', 'confirmed', { timeout: 30_000 })
    await expect(balanceKoinu(page, 'held')).toHaveAttribute('value', '0')
    await expect(balanceKoinu(page, 'available')).toHaveAttribute(
      'value',
      (DEPOSIT_KOINU - WITHDRAWAL_KOINU - feeKoinu).toString(),
    )
    expect(await faucetReceivedKoinu(destination, 1)).toBe(WITHDRAWAL_KOINU)
    const withdrawalRows = page
      .getByRole('list', { name: 'History' })
      .getByRole('listitem')
      .filter({ hasText: 'Withdrawal' })
    await expect(withdrawalRows).toHaveCount(1)
    await expect(withdrawalRows.first()).toContainText('Paid')
    await expect(withdrawalRows.first().locator('data')).toHaveAttribute(
      'value',
      (-(WITHDRAWAL_KOINU + feeKoinu)).toString(),
    )
    expect((await outputsPaying(withdrawalTxid, destination)).map((output) => output.koinu)).toEqual([
      WITHDRAWAL_KOINU,
    ])
    await pageScreenshot(page, 'wallet-done')
  })
})
