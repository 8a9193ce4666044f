import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { deferred, errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import {
  ADDRESS_WIRE,
  balanceWire,
  depositWire,
  DESTINATION_ADDRESS,
  page,
  transferWire,
  withdrawalWire,
  WITHDRAWAL_TXID,
} from '@/__tests__/walletFixtures'
import { setAccessTokenProvider } from '@/api/http'

import { useSessionStore } from '../useSessionStore'
import { WALLET_POLL_INTERVAL_MS, useWalletStore } from '../useWalletStore'

const BALANCE = 'GET /api/v1/wallet/balance'
const ADDRESS = 'GET /api/v1/wallet/deposit-address'
const DEPOSITS = 'GET /api/v1/wallet/deposits'
const TRANSFERS = 'GET /api/v1/wallet/transfers'
const WITHDRAWALS = 'GET /api/v1/wallet/withdrawals'

let api: FakeApi

/** A signed-in Alice and a wallet-service that answers every read of the page. */
function walletApi(overrides: {
  balance?: Record<string, unknown>
  deposits?: Record<string, unknown>[]
  transfers?: Record<string, unknown>[]
  withdrawals?: Record<string, unknown>[]
} = {}): void {
  api.on(BALANCE, () => jsonResponse(200, balanceWire(overrides.balance)))
  api.on(ADDRESS, () => jsonResponse(200, ADDRESS_WIRE))
  api.on(DEPOSITS, () => jsonResponse(200, page(overrides.deposits ?? [])))
  api.on(TRANSFERS, () => jsonResponse(200, page(overrides.transfers ?? [])))
  api.on(WITHDRAWALS, () => jsonResponse(200, page(overrides.withdrawals ?? [])))
}

function urls(): string[] {
  return api.requests.map((request) => `${request.method} ${request.url}`)
}

beforeEach(() => {
  setActivePinia(createPinia())
  api = installFakeApi()
  const session = useSessionStore()
  session.sessionStart(tokensFor(ALICE, 'access-1'))
  setAccessTokenProvider(() => session.accessToken)
})

afterEach(() => {
  useWalletStore().liveUpdatesStop()
  useSessionStore().sessionEnd()
  setAccessTokenProvider(() => null)
  vi.useRealTimers()
})

describe('useWalletStore', () => {
  it('exposes only its public API', () => {
    const wallet = useWalletStore()

    expect(Object.keys(wallet).filter((key) => !key.startsWith('$') && !key.startsWith('_')).sort()).toEqual([
      'balance',
      'balanceLoad',
      'depositAddress',
      'depositAddressLoad',
      'depositAddressRenew',
      'deposits',
      'depositsCheck',
      'depositsHasMore',
      'depositsLoad',
      'depositsLoadMore',
      'hasUnconfirmedDeposits',
      'hasWithdrawalsInFlight',
      'history',
      'historyHasMore',
      'historyLoad',
      'historyLoadMore',
      'historyReason',
      'isLiveUpdateFailing',
      'isLiveUpdateWanted',
      'isLiveUpdating',
      'liveUpdatesStart',
      'liveUpdatesStop',
      'walletClear',
      'walletLoad',
      'withdrawalCreate',
      'withdrawalQuote',
      'withdrawals',
      'withdrawalsHasMore',
      'withdrawalsLoad',
      'withdrawalsLoadMore',
    ])
  })

  it('loads the page: balance, address and the first page of each list', async () => {
    walletApi({
      deposits: [depositWire()],
      transfers: [transferWire()],
      withdrawals: [withdrawalWire({ status: 'confirmed', txid: WITHDRAWAL_TXID, confirmations: 3 })],
    })
    const wallet = useWalletStore()

    await wallet.walletLoad()

    expect(urls().sort()).toEqual([
      'GET /api/v1/wallet/balance',
      'GET /api/v1/wallet/deposit-address',
      'GET /api/v1/wallet/deposits?limit=10',
      'GET /api/v1/wallet/transfers?limit=20',
      'GET /api/v1/wallet/withdrawals?limit=10',
    ])
    expect(api.requests.every((request) => request.headers.authorization === 'Bearer access-1')).toBe(true)
    expect(wallet.balance?.available_koinu).toBe(500_000_000n)
    expect(wallet.depositAddress?.uri).toBe('dogecoin:mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn')
    expect(wallet.deposits.map((deposit) => [deposit.id, deposit.amount_koinu, deposit.status])).toEqual([
      ['dep-1', 250_000_000n, 'pending'],
    ])
    expect(wallet.history.map((transfer) => transfer.id)).toEqual(['trf-1'])
    expect(wallet.withdrawals.map((withdrawal) => withdrawal.status)).toEqual(['confirmed'])
    expect(wallet.hasUnconfirmedDeposits).toBe(true)
    expect(wallet.hasWithdrawalsInFlight).toBe(false)
  })

  it('gives a fresh deposit address with the caller’s Idempotency-Key', async () => {
    api.on('POST /api/v1/wallet/deposit-address', () =>
      jsonResponse(201, { ...ADDRESS_WIRE, address: 'n3GNqMveyvaPvUbH469vDRadqpJMPc84JA' }),
    )
    const wallet = useWalletStore()

    await wallet.depositAddressRenew('key-7')

    expect(api.requests.map((request) => [request.url, request.headers['idempotency-key'], request.body])).toEqual([
      ['/api/v1/wallet/deposit-address', 'key-7', {}],
    ])
    expect(wallet.depositAddress?.address).toBe('n3GNqMveyvaPvUbH469vDRadqpJMPc84JA')
  })
})

describe('history', () => {
  it('filters by reason, and loads more after the last transfer shown', async () => {
    api.on(TRANSFERS, (request) =>
      request.url.includes('starting_after=trf-2')
        ? jsonResponse(200, page([transferWire({ id: 'trf-3' })]))
        : jsonResponse(200, page([transferWire({ id: 'trf-1' }), transferWire({ id: 'trf-2' })], true)),
    )
    const wallet = useWalletStore()

    await wallet.historyLoad('deposit')
    expect(wallet.historyHasMore).toBe(true)
    await wallet.historyLoadMore()

    expect(urls()).toEqual([
      'GET /api/v1/wallet/transfers?limit=20&reason=deposit',
      'GET /api/v1/wallet/transfers?limit=20&reason=deposit&starting_after=trf-2',
    ])
    expect(wallet.historyReason).toBe('deposit')
    expect(wallet.history.map((transfer) => transfer.id)).toEqual(['trf-1', 'trf-2', 'trf-3'])
    expect(wallet.historyHasMore).toBe(false)
  })

  it('keeps only the answer for the latest filter when the filter changes during a load', async () => {
    const slowAll = deferred<Response>()
    api.on(TRANSFERS, (request) =>
      request.url.includes('reason=withdrawal')
        ? jsonResponse(200, page([transferWire({ id: 'trf-w', reason: 'withdrawal' })]))
        : slowAll.promise,
    )
    const wallet = useWalletStore()

    const first = wallet.historyLoad(null)
    await wallet.historyLoad('withdrawal')
    slowAll.resolve(jsonResponse(200, page([transferWire({ id: 'trf-all' })], true)))
    await first

    expect(wallet.historyReason).toBe('withdrawal')
    expect(wallet.history.map((transfer) => transfer.id)).toEqual(['trf-w'])
    expect(wallet.historyHasMore).toBe(false)
  })
})

describe('live updates', () => {
  it('polls while a deposit is unconfirmed: lists first, then the balance; stops once it is credited', async () => {
    vi.useFakeTimers()
    walletApi({ deposits: [depositWire()], balance: { available_koinu: '0', incoming_koinu: '250000000' } })
    const wallet = useWalletStore()
    wallet.liveUpdatesStart()
    await wallet.walletLoad()
    expect(wallet.isLiveUpdating).toBe(true)
    api.requests.length = 0

    // Mined: one confirmation of six. The balance has not moved, so the history is not read.
    walletApi({
      deposits: [depositWire({ status: 'confirming', confirmations: 1, block_height: 101 })],
      balance: { available_koinu: '0', incoming_koinu: '250000000' },
    })
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)
    expect(urls()).toEqual([
      'GET /api/v1/wallet/deposits?limit=10',
      'GET /api/v1/wallet/withdrawals?limit=10',
      'GET /api/v1/wallet/balance',
    ])
    expect(wallet.deposits[0]?.confirmations).toBe(1)
    api.requests.length = 0

    // Credited: the balance moved, so the history is read too; then nothing is in flight.
    walletApi({
      deposits: [depositWire({ status: 'credited', confirmations: 6, block_height: 101, credited_at: '2025-03-01T12:10:00Z' })],
      balance: { available_koinu: '250000000', incoming_koinu: '0' },
      transfers: [transferWire({ id: 'trf-credit', amount_koinu: '250000000' })],
    })
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)
    expect(urls()).toEqual([
      'GET /api/v1/wallet/deposits?limit=10',
      'GET /api/v1/wallet/withdrawals?limit=10',
      'GET /api/v1/wallet/balance',
      'GET /api/v1/wallet/transfers?limit=20',
    ])
    expect(wallet.balance?.available_koinu).toBe(250_000_000n)
    expect(wallet.balance?.incoming_koinu).toBe(0n)
    expect(wallet.history.map((transfer) => transfer.id)).toEqual(['trf-credit'])
    expect(wallet.isLiveUpdating).toBe(false)
    api.requests.length = 0

    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS * 5)
    expect(api.requests).toHaveLength(0)
  })

  it('does not poll while the wallet page is closed, or when nothing is in flight', async () => {
    vi.useFakeTimers()
    walletApi({ deposits: [depositWire()] })
    const wallet = useWalletStore()
    await wallet.walletLoad()
    api.requests.length = 0

    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS * 3)
    expect(wallet.isLiveUpdating).toBe(false)
    expect(api.requests).toHaveLength(0)

    wallet.liveUpdatesStart()
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)
    expect(api.requestsTo(DEPOSITS)).toHaveLength(1)

    wallet.liveUpdatesStop()
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS * 3)
    expect(api.requestsTo(DEPOSITS)).toHaveLength(1)
  })

  it('polls while a withdrawal is on its way, and not while one waits for staff', async () => {
    vi.useFakeTimers()
    walletApi({ withdrawals: [withdrawalWire({ status: 'awaiting_approval' })] })
    const wallet = useWalletStore()
    wallet.liveUpdatesStart()
    await wallet.walletLoad()
    expect(wallet.isLiveUpdating).toBe(false)

    walletApi({ withdrawals: [withdrawalWire({ status: 'broadcast', txid: WITHDRAWAL_TXID })] })
    await wallet.withdrawalsLoad()
    expect(wallet.isLiveUpdating).toBe(true)
    api.requests.length = 0

    walletApi({ withdrawals: [withdrawalWire({ status: 'confirmed', txid: WITHDRAWAL_TXID, confirmations: 1 })] })
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)

    expect(wallet.withdrawals.map((withdrawal) => withdrawal.status)).toEqual(['confirmed'])
    expect(wallet.isLiveUpdating).toBe(false)
  })

  it('says so when a poll fails, keeps polling, and clears it when one works', async () => {
    vi.useFakeTimers()
    walletApi({ deposits: [depositWire()] })
    const wallet = useWalletStore()
    wallet.liveUpdatesStart()
    await wallet.walletLoad()

    api.on(DEPOSITS, () => errorResponse(503, { code: 'service_unavailable' }))
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)
    expect(wallet.isLiveUpdateFailing).toBe(true)
    expect(wallet.deposits.map((deposit) => deposit.status)).toEqual(['pending'])

    api.on(DEPOSITS, () => jsonResponse(200, page([depositWire({ status: 'confirming', confirmations: 1, block_height: 5 })])))
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)
    expect(wallet.isLiveUpdateFailing).toBe(false)
    expect(wallet.deposits.map((deposit) => deposit.status)).toEqual(['confirming'])
  })

  it('refreshes the first page in place and keeps the pages loaded after it', async () => {
    vi.useFakeTimers()
    const firstPage = [depositWire({ id: 'dep-3' }), depositWire({ id: 'dep-2', status: 'credited' })]
    walletApi()
    api.on(DEPOSITS, (request) =>
      request.url.includes('starting_after=dep-2')
        ? jsonResponse(200, page([depositWire({ id: 'dep-1', status: 'credited' })]))
        : jsonResponse(200, page(firstPage, true)),
    )
    const wallet = useWalletStore()
    wallet.liveUpdatesStart()
    await wallet.depositsLoad()
    await wallet.depositsLoadMore()
    expect(wallet.deposits.map((deposit) => deposit.id)).toEqual(['dep-3', 'dep-2', 'dep-1'])

    // A new deposit arrives on top; the first page now ends at dep-3.
    firstPage.splice(0, 2, depositWire({ id: 'dep-4' }), depositWire({ id: 'dep-3', status: 'confirming', confirmations: 1, block_height: 9 }))
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS)

    expect(wallet.deposits.map((deposit) => [deposit.id, deposit.status])).toEqual([
      ['dep-4', 'pending'],
      ['dep-3', 'confirming'],
      ['dep-2', 'credited'],
      ['dep-1', 'credited'],
    ])
    expect(wallet.depositsHasMore).toBe(false)
  })
})

describe('withdrawals', () => {
  it('asks for a quote with the amount in koinu', async () => {
    api.on('GET /api/v1/wallet/withdrawals/quote', () =>
      jsonResponse(200, {
        amount_koinu: '200000000',
        fee_koinu: '1000000',
        total_koinu: '201000000',
        estimated_size_bytes: 226,
        fee_per_kb_koinu: '1000000',
      }),
    )
    const wallet = useWalletStore()

    const quote = await wallet.withdrawalQuote(200_000_000n)

    expect(urls()).toEqual(['GET /api/v1/wallet/withdrawals/quote?amount_koinu=200000000'])
    expect(quote.total_koinu).toBe(201_000_000n)
  })

  it('requests a withdrawal with the attempt’s key, puts it on top, reads balance and history again, and follows it', async () => {
    vi.useFakeTimers()
    walletApi({ withdrawals: [withdrawalWire({ id: 'wd-0', status: 'confirmed' })] })
    api.on('POST /api/v1/wallet/withdrawals', () => jsonResponse(201, withdrawalWire({ id: 'wd-1', status: 'approved' })))
    const wallet = useWalletStore()
    wallet.liveUpdatesStart()
    await wallet.walletLoad()
    api.requests.length = 0

    const withdrawal = await wallet.withdrawalCreate(
      { address: DESTINATION_ADDRESS, amount_koinu: 200_000_000n },
      'attempt-key-1',
    )

    expect(withdrawal.id).toBe('wd-1')
    const [post] = api.requestsTo('POST /api/v1/wallet/withdrawals')
    expect(post?.headers['idempotency-key']).toBe('attempt-key-1')
    expect(post?.body).toEqual({ address: DESTINATION_ADDRESS, amount_koinu: '200000000' })
    expect(urls().slice(1).sort()).toEqual(['GET /api/v1/wallet/balance', 'GET /api/v1/wallet/transfers?limit=20'])
    expect(wallet.withdrawals.map((known) => known.id)).toEqual(['wd-1', 'wd-0'])
    expect(wallet.isLiveUpdating).toBe(true)
  })

  it('leaves the list alone when the request is refused', async () => {
    api.on('POST /api/v1/wallet/withdrawals', () =>
      errorResponse(400, { code: 'insufficient_funds', param: 'amount_koinu' }),
    )
    const wallet = useWalletStore()

    await expect(
      wallet.withdrawalCreate({ address: DESTINATION_ADDRESS, amount_koinu: 1n }, 'k'),
    ).rejects.toMatchObject({ code: 'insufficient_funds' })

    expect(wallet.withdrawals).toEqual([])
    expect(api.requests).toHaveLength(1)
  })
})

describe('whose wallet', () => {
  it('forgets everything when the user signs out, and stops polling', async () => {
    vi.useFakeTimers()
    walletApi({ deposits: [depositWire()], transfers: [transferWire()], withdrawals: [withdrawalWire()] })
    const wallet = useWalletStore()
    wallet.liveUpdatesStart()
    await wallet.walletLoad()
    await wallet.historyLoad('deposit')
    api.requests.length = 0

    useSessionStore().sessionEnd()
    await flushPromises()

    expect(wallet.balance).toBeNull()
    expect(wallet.depositAddress).toBeNull()
    expect(wallet.deposits).toEqual([])
    expect(wallet.history).toEqual([])
    expect(wallet.historyReason).toBeNull()
    expect(wallet.withdrawals).toEqual([])
    await vi.advanceTimersByTimeAsync(WALLET_POLL_INTERVAL_MS * 3)
    expect(api.requests).toHaveLength(0)
  })
})
