import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import { DESTINATION_ADDRESS, page, transferWire } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import WalletHistoryList from '../WalletHistoryList.vue'

const TRANSFERS = 'GET /api/v1/wallet/transfers'
const WITHDRAWAL_REFERENCE = { withdrawal_id: 'wd-1', address: DESTINATION_ADDRESS }

/** One row per movement (activity=true): a paid withdrawal, a released bid hold, a deposit. */
const HISTORY = [
  transferWire({
    id: 'trf-4',
    kind: 'pending',
    direction: 'out',
    amount_koinu: '201000000',
    signed_amount_koinu: '-201000000',
    status: 'posted',
    reason: 'withdrawal',
    reference: WITHDRAWAL_REFERENCE,
    counterparty: 'withdrawals_in_flight',
    created_at: '2025-03-02T09:00:00Z',
  }),
  transferWire({
    id: 'trf-2',
    kind: 'pending',
    direction: 'out',
    amount_koinu: '50000000',
    signed_amount_koinu: '0',
    status: 'voided',
    reason: 'bid_hold',
    reference: { auction_id: 'auc-1' },
    counterparty: 'bid_holds',
    created_at: '2025-03-01T17:00:00Z',
  }),
  transferWire({ id: 'trf-1' }),
]

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({ [TRANSFERS]: () => jsonResponse(200, page(HISTORY, true)) })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountHistory(): Promise<void> {
  const mounted = await mountPage(WalletHistoryList, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(ALICE, 'access-1')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
  api.requests.length = 0
}

/** Each row's paragraphs (title, date and detail, amount), separated by a space. */
function rows(): string[] {
  return wrapper
    .findAll('ul[aria-label="History"] > li')
    .map((item) => item.findAll('p').map((paragraph) => paragraph.text().replace(/\s+/g, ' ')).join(' '))
}

describe('WalletHistoryList', () => {
  it('shows one row per movement, a withdrawal as one signed row with its state', async () => {
    await mountHistory()

    expect(rows()).toEqual([
      'Withdrawal Paid 2 Mar 2025, 09:00 · to mzBc4XEFSd…sZWpztRhef −Ð 2.01 DOGE',
      'Bid Released 1 Mar 2025, 17:00 Ð 0.5 DOGE',
      'Deposit 1 Mar 2025, 10:30 · transaction a1b2c3d4…6d7e8f90 +Ð 7 DOGE',
    ])
    expect(wrapper.findAll('ul[aria-label="History"] data').map((amount) => amount.attributes('value'))).toEqual([
      '-201000000',
      '50000000',
      '700000000',
    ])
  })

  it('filters by reason from the first page', async () => {
    await mountHistory()
    api.on(TRANSFERS, () => jsonResponse(200, page([transferWire()])))

    await wrapper.get('select').setValue('deposit')
    await flushPromises()

    expect(api.requests.map((request) => request.url)).toEqual(['/api/v1/wallet/transfers?limit=20&reason=deposit&activity=true'])
    expect(rows()).toEqual(['Deposit 1 Mar 2025, 10:30 · transaction a1b2c3d4…6d7e8f90 +Ð 7 DOGE'])
    expect(wrapper.findAll('option').map((option) => [option.attributes('value'), option.text()])).toEqual([
      ['', 'All activity'],
      ['deposit', 'Deposits'],
      ['withdrawal', 'Withdrawals'],
      ['bid_hold', 'Bids'],
      ['order_escrow', 'Orders'],
      ['deposit_reversal', 'Reversed deposits'],
    ])
  })

  it('loads more after the last transfer shown, keeping the filter', async () => {
    await mountHistory()
    api.on(TRANSFERS, () => jsonResponse(200, page([transferWire({ id: 'trf-0', created_at: '2025-02-28T08:00:00Z' })])))

    const loadMore = wrapper.findAll('button').find((button) => button.text() === 'Load more')
    await loadMore?.trigger('click')
    await flushPromises()

    expect(api.requests.map((request) => request.url)).toEqual([
      '/api/v1/wallet/transfers?limit=20&starting_after=trf-1&activity=true',
    ])
    expect(rows()).toHaveLength(4)
    expect(wrapper.findAll('button').map((button) => button.text())).toEqual([])
  })

  it('says when a filter has nothing', async () => {
    api.on(TRANSFERS, () => jsonResponse(200, page([])))
    await mountHistory()

    await wrapper.get('select').setValue('order_escrow')
    await flushPromises()

    expect(wrapper.text()).toContain('Nothing of this kind yet.')
  })
})
