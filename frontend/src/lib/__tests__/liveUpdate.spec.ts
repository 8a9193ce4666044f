import { PiniaColada, useQueryCache } from '@pinia/colada'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createApp } from 'vue'

import type { Deposit, WalletBalance, Withdrawal } from '@/api/wallet'
import type { PagedList } from '@/queries/pagedList'

import { applyLiveUpdate } from '../liveUpdate'
import { queryKeys } from '../queryKeys'

const USER = 'user-1'

function deposit(id: string, confirmations: number): Deposit {
  return {
    id,
    address: 'nAddress',
    txid: `tx-${id}`,
    vout: 0,
    amount_koinu: 300_000_000n,
    status: confirmations >= 6 ? 'credited' : 'confirming',
    confirmations,
    required_confirmations: 6,
    block_height: 100,
    first_seen_at: '2025-01-02T12:00:00Z',
    credited_at: null,
  }
}

const BALANCE: WalletBalance = {
  user_id: USER,
  available_koinu: 150_000_000n,
  held_koinu: 0n,
  incoming_koinu: 0n,
  is_frozen: false,
  held_by_reason: [],
  holds: [],
}

let queryCache: ReturnType<typeof useQueryCache>

beforeEach(() => {
  const pinia = createPinia()
  createApp({}).use(pinia).use(PiniaColada)
  setActivePinia(pinia)
  queryCache = useQueryCache()
})

describe('applyLiveUpdate', () => {
  it('replaces the cached balance', () => {
    applyLiveUpdate(queryCache, USER, { kind: 'wallet.balance', balance: BALANCE })

    expect(queryCache.getQueryData([...queryKeys.wallet.balance(USER)])).toEqual(BALANCE)
  })

  it('updates a known deposit in place and keeps the rest of the list', () => {
    const key = [...queryKeys.wallet.deposits(USER)]
    queryCache.setQueryData<PagedList<Deposit>>(key, { items: [deposit('d2', 1), deposit('d1', 9)], hasMore: true })

    applyLiveUpdate(queryCache, USER, { kind: 'wallet.deposit', deposit: deposit('d2', 6) })

    expect(queryCache.getQueryData(key)).toEqual({ items: [deposit('d2', 6), deposit('d1', 9)], hasMore: true })
  })

  it('puts a new deposit on top', () => {
    const key = [...queryKeys.wallet.deposits(USER)]
    queryCache.setQueryData<PagedList<Deposit>>(key, { items: [deposit('d1', 9)], hasMore: false })

    applyLiveUpdate(queryCache, USER, { kind: 'wallet.deposit', deposit: deposit('d2', 0) })

    expect(queryCache.getQueryData(key)).toEqual({ items: [deposit('d2', 0), deposit('d1', 9)], hasMore: false })
  })

  it('leaves a list that was never loaded alone, and other users’ lists untouched', () => {
    const other = [...queryKeys.wallet.withdrawals('user-2')]
    queryCache.setQueryData<PagedList<Withdrawal>>(other, { items: [], hasMore: false })
    const withdrawal: Withdrawal = {
      id: 'wd-1',
      address: 'nTo',
      amount_koinu: 1n,
      fee_koinu: 1n,
      status: 'broadcast',
      txid: null,
      confirmations: 0,
      created_at: '2025-01-02T12:00:00Z',
      failure_reason: null,
    }

    applyLiveUpdate(queryCache, USER, { kind: 'wallet.withdrawal', withdrawal })

    expect(queryCache.getQueryData([...queryKeys.wallet.withdrawals(USER)])).toBeUndefined()
    expect(queryCache.getQueryData(other)).toEqual({ items: [], hasMore: false })
  })
})
