import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { tokensFor } from '@/__tests__/fixtures'
import { alertTexts, mountPage } from '@/__tests__/mountPage'
import { STAFF_USER, suspenseWire } from '@/__tests__/staffFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import StaffSuspenseAccount from '../StaffSuspenseAccount.vue'

const SUSPENSE = 'GET /api/v1/wallet/staff/suspense'

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({ [SUSPENSE]: () => jsonResponse(200, suspenseWire()) })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountAccount(): Promise<void> {
  const mounted = await mountPage(StaffSuspenseAccount, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(STAFF_USER, 'staff-token')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

function figures(): string[][] {
  return wrapper.findAll('dl > div').map((card) => card.findAll('dt, dd').map((part) => part.text().replace(/\s+/g, ' ')))
}

function entries(): { text: string; amount: string | undefined }[] {
  return wrapper.findAll('ul[aria-label="Entries"] > li').map((item) => ({
    text: item
      .findAll('div > p')
      .map((line) => line.text().replace(/\s+/g, ' '))
      .join(' | '),
    amount: item.get('data').attributes('value'),
  }))
}

describe('StaffSuspenseAccount', () => {
  it('shows the balance, what came in and went out, and each entry with its other side', async () => {
    api.on(SUSPENSE, () =>
      jsonResponse(
        200,
        suspenseWire({
          posted_koinu: '-20000000',
          debits_posted_koinu: '170000000',
          entries: [
            {
              id: 'trf-2',
              kind: 'single',
              direction: 'out',
              amount_koinu: '170000000',
              reason: 'write_off',
              reference: {},
              counterparty: 'platform_fees',
              created_at: '2025-03-02T10:00:00Z',
            },
            ...suspenseWire().entries,
          ],
          has_more: true,
        }),
      ),
    )
    await mountAccount()

    expect(api.requests.map((request) => request.url)).toEqual(['/api/v1/wallet/staff/suspense?limit=20'])
    expect(figures()).toEqual([
      ['Balance', '−Ð 0.2 DOGE', 'Negative: owed to the platform.'],
      ['Credited in', 'Ð 1.5 DOGE'],
      ['Debited out', 'Ð 1.7 DOGE'],
    ])
    expect(wrapper.get('[data-testid="suspense-balance"] data').attributes('value')).toBe('-20000000')
    expect(entries()).toEqual([
      { text: 'Write off · to Platform fees | 2 Mar 2025, 10:00', amount: '-170000000' },
      {
        text: 'Deposit shortfall · from the wallet of member 6f1c2b7e…2c3d4e5f | 2 Mar 2025, 09:30 · transaction a1b2c3d4…6d7e8f90',
        amount: '150000000',
      },
    ])
  })

  it('loads older entries after the last one, keeping the balance current', async () => {
    api.on(SUSPENSE, (request) =>
      request.url.includes('starting_after=trf-shortfall-1')
        ? jsonResponse(
            200,
            suspenseWire({
              posted_koinu: '250000000',
              credits_posted_koinu: '250000000',
              entries: [{ ...suspenseWire().entries[0], id: 'trf-0', amount_koinu: '100000000' }],
            }),
          )
        : jsonResponse(200, suspenseWire({ has_more: true })),
    )
    await mountAccount()

    await wrapper.findAll('button').find((button) => button.text() === 'Load more')?.trigger('click')
    await flushPromises()

    expect(api.requests.at(-1)?.url).toBe('/api/v1/wallet/staff/suspense?limit=20&starting_after=trf-shortfall-1')
    expect(entries().map((entry) => entry.amount)).toEqual(['150000000', '100000000'])
    expect(wrapper.get('[data-testid="suspense-balance"] data').attributes('value')).toBe('250000000')
    expect(wrapper.findAll('button').map((button) => button.text())).not.toContain('Load more')
  })

  it('says when nothing went through it, and when it cannot be read', async () => {
    api.on(SUSPENSE, () => jsonResponse(200, suspenseWire({ posted_koinu: '0', credits_posted_koinu: '0', entries: [] })))
    await mountAccount()
    expect(wrapper.text()).toContain('Nothing has gone through the suspense account.')
    wrapper.unmount()

    api.on(SUSPENSE, () => errorResponse(503, { code: 'service_unavailable' }))
    await mountAccount()
    expect(alertTexts(wrapper)).toEqual([
      'The suspense account didn’t load Something went wrong on our side. Please try again in a moment.Try again',
    ])
  })
})
