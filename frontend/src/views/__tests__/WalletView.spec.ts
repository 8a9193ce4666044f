import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { fakeSockets } from '@/__tests__/fakeSocket'
import { alertTexts, mountPage } from '@/__tests__/mountPage'
import { ADDRESS_WIRE, balanceWire, depositWire, page, transferWire } from '@/__tests__/walletFixtures'
import { setAccessTokenProvider } from '@/api/http'
import { sessionHintSet } from '@/lib/sessionHint'
import { installLiveChannel } from '@/live'
import { WALLET_FALLBACK_POLL_MS, WALLET_POLL_INTERVAL_MS } from '@/queries/wallet'
import { useSessionStore } from '@/stores/useSessionStore'

import WalletView from '../WalletView.vue'

const ALICE_2FA = { ...ALICE, two_factor_enabled: true }
const BALANCE = 'GET /api/v1/wallet/balance'
const DEPOSITS = 'GET /api/v1/wallet/deposits'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE_2FA, 'access-1')),
    [BALANCE]: () => jsonResponse(200, balanceWire()),
    'GET /api/v1/wallet/deposit-address': () => jsonResponse(200, ADDRESS_WIRE),
    [DEPOSITS]: () => jsonResponse(200, page([depositWire()])),
    'GET /api/v1/wallet/transfers': () => jsonResponse(200, page([transferWire()])),
    'GET /api/v1/wallet/withdrawals': () => jsonResponse(200, page([])),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
  vi.useRealTimers()
})

async function walletPage(): Promise<VueWrapper> {
  const mounted = await mountPage(WalletView, {
    path: '/wallet',
    beforeNavigation: () => {
      // This browser has signed in before, so the start-up refresh is tried (lib/sessionHint).
      sessionHintSet(true)
      const session = useSessionStore()
      setAccessTokenProvider(() => session.accessToken)
    },
  })
  wrapper = mounted.wrapper
  await flushPromises()
  return mounted.wrapper
}

describe('WalletView', () => {
  it('loads the wallet and shows balances, deposit, withdraw and history', async () => {
    const view = await walletPage()

    expect(
      api.requests
        .filter((request) => request.url.startsWith('/api/v1/wallet/'))
        .map((request) => `${request.url} ${request.headers.authorization}`)
        .sort(),
    ).toEqual([
      '/api/v1/wallet/balance Bearer access-1',
      '/api/v1/wallet/deposit-address Bearer access-1',
      '/api/v1/wallet/deposits?limit=10 Bearer access-1',
      '/api/v1/wallet/transfers?limit=20&activity=true Bearer access-1',
      '/api/v1/wallet/withdrawals?limit=10 Bearer access-1',
    ])
    expect(view.get('h1').text()).toBe('Wallet')
    expect(view.findAll('section h2').map((heading) => heading.text())).toEqual([
      'Balances',
      'Deposit',
      'Withdraw',
      'History',
    ])
    expect(view.get('[data-testid="balance-available"] data').attributes('value')).toBe('500000000')
    expect(view.get('[data-testid="deposit-address"]').text()).toBe(ADDRESS_WIRE.address)
    expect(view.find('form[aria-label="Withdraw DOGE"]').exists()).toBe(true)
    expect(view.text()).not.toContain('Updating live')
  })

  it('with the live channel up: says so, does not poll, and a wallet.updated event shows the new deposit at once', async () => {
    vi.useFakeTimers()
    const sockets = fakeSockets()
    let stopLive = () => undefined as void
    api.on(DEPOSITS, () => jsonResponse(200, page([])))
    const mounted = await mountPage(WalletView, {
      path: '/wallet',
      beforeNavigation: () => {
        sessionHintSet(true)
        const session = useSessionStore()
        setAccessTokenProvider(() => session.accessToken)
        stopLive = installLiveChannel(getActivePinia()!, { createSocket: sockets.createSocket })
      },
    })
    wrapper = mounted.wrapper
    await flushPromises()
    sockets.last().open()
    await flushPromises()
    expect(sockets.last().sent).toEqual([
      { op: 'auth', token: 'access-1' },
      { op: 'subscribe', topic: `user:${ALICE.id}`, after: null },
    ])
    expect(wrapper.text()).toContain('Updating live')
    expect(wrapper.text()).toContain('Deposits show here by themselves as soon as the network sees them.')
    expect(wrapper.findAll('button').map((button) => button.text())).not.toContain('Check for deposits')
    sockets.last().receive({ type: 'subscribed', topic: `user:${ALICE.id}`, seq: 0 })
    api.requests.length = 0
    await vi.advanceTimersByTimeAsync(WALLET_FALLBACK_POLL_MS * 2)
    expect(api.requests).toEqual([])

    api.on(DEPOSITS, () => jsonResponse(200, page([depositWire()])))
    sockets.last().receive({
      type: 'event',
      topic: `user:${ALICE.id}`,
      seq: 1,
      event: 'wallet.updated',
      data: { cause: 'deposit.detected', deposit_id: 'dep_1' },
      at: '2026-12-07T21:00:00Z',
    })
    await flushPromises()

    expect(api.requests.map((request) => request.url)).toEqual([
      '/api/v1/wallet/deposits?limit=10',
      '/api/v1/wallet/withdrawals?limit=10',
      '/api/v1/wallet/balance',
      '/api/v1/wallet/transfers?limit=20&activity=true',
    ])
    expect(wrapper.findAll('[data-deposit-status]').map((item) => item.attributes('data-deposit-status'))).toEqual([
      'pending',
    ])
    stopLive()
  })

  it('with the live channel down, polls fast while a deposit is unconfirmed, and stops when the page is left', async () => {
    vi.useFakeTimers()
    await walletPage()
    api.requests.length = 0

    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)
    expect(api.requestsTo(DEPOSITS)).toHaveLength(1)

    wrapper?.unmount()
    wrapper = undefined
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS * 3)
    expect(api.requestsTo(DEPOSITS)).toHaveLength(1)
  })

  it('says what did not load and loads again on request', async () => {
    api.on(BALANCE, () => errorResponse(503, { code: 'service_unavailable' }))
    const view = await walletPage()

    expect(alertTexts(view)).toEqual([
      'Your wallet didn’t load completely Something went wrong on our side. Please try again in a moment.Try again',
    ])
    expect(view.find('[data-testid="balance-available"]').exists()).toBe(false)

    api.on(BALANCE, () => jsonResponse(200, balanceWire()))
    await view.findAll('button').find((button) => button.text() === 'Try again')?.trigger('click')
    await flushPromises()

    expect(alertTexts(view)).toEqual([])
    expect(view.get('[data-testid="balance-available"] data').attributes('value')).toBe('500000000')
  })

  it('warns about a frozen wallet', async () => {
    api.on(BALANCE, () => jsonResponse(200, balanceWire({ is_frozen: true })))
    const view = await walletPage()

    expect(alertTexts(view)[0]).toBe(
      'Your wallet is frozen for review You can still receive DOGE, but nothing can leave the wallet until our team has reviewed it. This happens when the network reverses a deposit that had already been spent. Please contact support.',
    )
  })
})
