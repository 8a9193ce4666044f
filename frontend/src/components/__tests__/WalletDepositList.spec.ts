import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import { balanceWire, depositWire, page } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import WalletDepositList from '../WalletDepositList.vue'

const DEPOSITS = 'GET /api/v1/wallet/deposits'

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({
    'GET /api/v1/wallet/balance': () => jsonResponse(200, balanceWire()),
    [DEPOSITS]: () => jsonResponse(200, page([])),
  })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountList(): Promise<void> {
  const mounted = await mountPage(WalletDepositList, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(ALICE, 'access-1')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

function rows(): { status: string | undefined; amount: string | undefined; badge: string }[] {
  return wrapper.findAll('ul[aria-label="Deposits"] > li').map((item) => ({
    status: item.attributes('data-deposit-status'),
    amount: item.get('data').attributes('value'),
    badge: item.get('.rounded-full.ring-1').text(),
  }))
}

async function clickButton(text: string): Promise<void> {
  const button = wrapper.findAll('button').find((candidate) => candidate.text() === text)
  if (button === undefined) {
    throw new Error(`no button "${text}"`)
  }
  await button.trigger('click')
  await flushPromises()
}

describe('WalletDepositList', () => {
  it('shows each deposit with its live confirmation count', async () => {
    api.on(DEPOSITS, () =>
      jsonResponse(
        200,
        page([
          depositWire({ id: 'dep-3', amount_koinu: '100000000', required_confirmations: 1 }),
          depositWire({ id: 'dep-2', status: 'confirming', confirmations: 2, block_height: 90 }),
          depositWire({
            id: 'dep-1',
            amount_koinu: '1234500000000',
            status: 'credited',
            confirmations: 7,
            block_height: 80,
            credited_at: '2025-03-01T12:30:00Z',
          }),
        ]),
      ),
    )
    await mountList()

    expect(rows()).toEqual([
      { status: 'pending', amount: '100000000', badge: 'Seen on the network · 0 of 1 confirmation' },
      { status: 'confirming', amount: '250000000', badge: '2 of 6 confirmations' },
      { status: 'credited', amount: '1234500000000', badge: 'Credited' },
    ])
    expect(wrapper.findAll('ul[aria-label="Deposits"] > li p').at(-1)?.text().replace(/\s+/g, ' ')).toBe(
      'a1b2c3d4…6d7e8f90:1 · seen 1 Mar 2025, 12:00 · credited 1 Mar 2025, 12:30',
    )
    expect(wrapper.text()).toContain('Confirmations update by themselves while this page is open.')
  })

  it('checks for new deposits on request, then reads the balance', async () => {
    await mountList()
    expect(wrapper.text()).toContain('No deposits yet.')
    api.on(DEPOSITS, () => jsonResponse(200, page([depositWire()])))
    api.requests.length = 0

    await clickButton('Check for deposits')

    expect(api.requests.map((request) => request.url)).toEqual([
      '/api/v1/wallet/deposits?limit=10',
      '/api/v1/wallet/balance',
    ])
    expect(rows().map((row) => row.status)).toEqual(['pending'])
  })

  it('loads older deposits after the last one shown', async () => {
    api.on(DEPOSITS, (request) =>
      request.url.includes('starting_after=dep-1')
        ? jsonResponse(200, page([depositWire({ id: 'dep-0', status: 'credited' })]))
        : jsonResponse(200, page([depositWire({ id: 'dep-1', status: 'credited' })], true)),
    )
    await mountList()

    await clickButton('Show more deposits')

    expect(api.requests.at(-1)?.url).toBe('/api/v1/wallet/deposits?limit=10&starting_after=dep-1')
    expect(rows().map((row) => row.status)).toEqual(['credited', 'credited'])
    expect(wrapper.findAll('button').map((button) => button.text())).toEqual(['Check for deposits'])
  })
})
