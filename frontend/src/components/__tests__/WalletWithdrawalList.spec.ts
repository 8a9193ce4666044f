import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import { page, withdrawalWire, WITHDRAWAL_TXID } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import WalletWithdrawalList from '../WalletWithdrawalList.vue'

const WITHDRAWALS = 'GET /api/v1/wallet/withdrawals'

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({ [WITHDRAWALS]: () => jsonResponse(200, page([])) })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountList(): Promise<void> {
  const mounted = await mountPage(WalletWithdrawalList, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(ALICE, 'access-1')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

/** The text of a note without its buttons and their status messages, whitespace collapsed. */
function textWithoutControls(element: Element): string {
  const copy = element.cloneNode(true) as Element
  copy.querySelectorAll('button, [role="status"]').forEach((control) => control.remove())
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim()
}

function rows(): { status: string | undefined; badge: string; notes: string[] }[] {
  return wrapper.findAll('ul[aria-label="Withdrawals"] > li').map((item) => ({
    status: item.attributes('data-withdrawal-status'),
    badge: item.get('.rounded-full.ring-1').text().replace(/\s+/g, ' '),
    notes: item
      .findAll('p')
      .slice(1)
      .map((note) => textWithoutControls(note.element)),
  }))
}

describe('WalletWithdrawalList', () => {
  it('shows each withdrawal’s status, fee and transaction', async () => {
    api.on(WITHDRAWALS, () =>
      jsonResponse(
        200,
        page([
          withdrawalWire({ id: 'wd-6', status: 'broadcast', txid: WITHDRAWAL_TXID, confirmations: 0 }),
          withdrawalWire({ id: 'wd-5', status: 'awaiting_approval', amount_koinu: '2000000000000' }),
          withdrawalWire({ id: 'wd-4', status: 'confirmed', txid: WITHDRAWAL_TXID, confirmations: 1 }),
          withdrawalWire({ id: 'wd-3', status: 'failed', failure_reason: 'inputs spent by another transaction (x)' }),
          withdrawalWire({ id: 'wd-2', status: 'rejected', failure_reason: 'rejected by staff: address on a sanctions list' }),
          withdrawalWire({ id: 'wd-1', status: 'approved' }),
        ]),
      ),
    )
    await mountList()

    expect(rows()).toEqual([
      {
        status: 'broadcast',
        badge: 'Sent · 0 confirmations',
        notes: ['Network fee Ð 0.01 DOGE · requested 1 Mar 2025, 11:00', 'Transaction ffeeddcc…33221100'],
      },
      {
        status: 'awaiting_approval',
        badge: 'Awaiting approval',
        notes: [
          'Network fee Ð 0.01 DOGE · requested 1 Mar 2025, 11:00',
          'Large withdrawals are checked by our team before they are sent. The amount and fee are held meanwhile.',
        ],
      },
      {
        status: 'confirmed',
        badge: 'Confirmed',
        notes: ['Network fee Ð 0.01 DOGE · requested 1 Mar 2025, 11:00', 'Transaction ffeeddcc…33221100'],
      },
      {
        status: 'failed',
        badge: 'Failed',
        notes: [
          'Network fee Ð 0.01 DOGE · requested 1 Mar 2025, 11:00',
          'The transaction could not be completed on the network. The amount and fee are back in your available balance.',
        ],
      },
      {
        status: 'rejected',
        badge: 'Rejected',
        notes: [
          'Network fee Ð 0.01 DOGE · requested 1 Mar 2025, 11:00',
          'Declined by our team: “address on a sanctions list” The amount and fee are back in your available balance.',
        ],
      },
      {
        status: 'approved',
        badge: 'Queued',
        notes: ['Network fee Ð 0.01 DOGE · requested 1 Mar 2025, 11:00'],
      },
    ])
    expect(wrapper.get('[data-testid="withdrawal-txid"]').attributes('data-txid')).toBe(WITHDRAWAL_TXID)
  })

  it('loads older withdrawals after the last one shown', async () => {
    api.on(WITHDRAWALS, (request) =>
      request.url.includes('starting_after=wd-2')
        ? jsonResponse(200, page([withdrawalWire({ id: 'wd-1', status: 'confirmed' })]))
        : jsonResponse(200, page([withdrawalWire({ id: 'wd-2', status: 'confirmed' })], true)),
    )
    await mountList()

    await wrapper.findAll('button').find((button) => button.text() === 'Show more withdrawals')?.trigger('click')
    await flushPromises()

    expect(api.requests.at(-1)?.url).toBe('/api/v1/wallet/withdrawals?limit=10&starting_after=wd-2')
    expect(rows().map((row) => row.status)).toEqual(['confirmed', 'confirmed'])
  })

  it('says when there are none', async () => {
    await mountList()

    expect(wrapper.text()).toBe('No withdrawals yet.')
  })
})
