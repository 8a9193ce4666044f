import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import { LISTING_ID, listingWire, myListingWire, sellerViewWire } from '@/__tests__/sellFixtures'
import { setAccessTokenProvider } from '@/api/http'
import { sessionHintSet } from '@/lib/sessionHint'
import { useSessionStore } from '@/stores/useSessionStore'

import MyListingsView from '../MyListingsView.vue'

const MINE = 'GET /api/v1/listings/mine'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-05T12:00:00Z'))
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    [MINE]: () => jsonResponse(200, { data: [], has_more: false }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
  vi.useRealTimers()
})

async function myListings(path: string): Promise<VueWrapper> {
  const mounted = await mountPage(MyListingsView, {
    path,
    beforeNavigation: () => {
      sessionHintSet(true)
      const session = useSessionStore()
      setAccessTokenProvider(() => session.accessToken)
    },
  })
  wrapper = mounted.wrapper
  await flushPromises()
  return mounted.wrapper
}

const rowText = (view: VueWrapper): string[] =>
  view.findAll('section li').map((row) => row.text().replace(/\s+/g, ' ').trim())

describe('MyListingsView', () => {
  it('shows the active tab: price, bids, views, watchers, time left, and the actions the rules allow', async () => {
    api.on(MINE, () =>
      jsonResponse(200, {
        data: [
          myListingWire({
            status: 'active',
            title: 'Shiba camera',
            price_koinu: '1000000000',
            buy_it_now_koinu: '2550000000',
            ends_at: '2026-12-08T15:00:00Z',
            seller_view: sellerViewWire({ view_count: 12, watch_count: 1 }),
          }),
        ],
        has_more: false,
      }),
    )
    const view = await myListings('/my-listings')

    expect(api.requestsTo(MINE).map((request) => request.url)).toEqual(['/api/v1/listings/mine?limit=20&status=active'])
    expect(view.find('nav [aria-current="page"]').text()).toBe('Active')
    expect(rowText(view)).toEqual([
      'No photoShiba cameraActiveAuction: Ð 10 DOGE · Buy It Now Ð 25.5 DOGE0 bids12 views1 watcher3 days leftEditEnd early',
    ])
    expect(view.findAll('section li a').map((link) => link.attributes('href'))).toEqual([
      `/listings/${LISTING_ID}`,
      `/sell/${LISTING_ID}?step=details`,
    ])
  })

  it('ends an active listing early after a confirmation, and reads the tab again', async () => {
    api.on(MINE, () =>
      jsonResponse(200, { data: [myListingWire({ status: 'active', title: 'Lamp', price_koinu: '100000000' })], has_more: false }),
    )
    api.on(`POST /api/v1/listings/${LISTING_ID}/end`, () => jsonResponse(200, listingWire({ status: 'ended' })))
    const view = await myListings('/my-listings?tab=active')

    await view.findAll('button').find((button) => button.text() === 'End early')?.trigger('click')
    expect(view.text()).toContain('End this listing now? Buyers can no longer buy or bid.')
    api.on(MINE, () => jsonResponse(200, { data: [], has_more: false }))
    await view.findAll('button').find((button) => button.text() === 'Yes, end it')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo(`POST /api/v1/listings/${LISTING_ID}/end`)).toHaveLength(1)
    expect(api.requestsTo(MINE)).toHaveLength(2)
    expect(view.text()).toContain('You have no active listings.')
  })

  it('says in plain words when ending is refused', async () => {
    api.on(MINE, () =>
      jsonResponse(200, { data: [myListingWire({ status: 'active', title: 'Lamp', price_koinu: '100000000' })], has_more: false }),
    )
    api.on(`POST /api/v1/listings/${LISTING_ID}/end`, () => errorResponse(409, { code: 'auction_has_bids' }))
    const view = await myListings('/my-listings?tab=active')

    await view.findAll('button').find((button) => button.text() === 'End early')?.trigger('click')
    await view.findAll('button').find((button) => button.text() === 'Yes, end it')?.trigger('click')
    await flushPromises()

    expect(view.get('[role="alert"]').text()).toBe('The auction has bids, so this can no longer be changed.')
  })

  it('lists drafts with Continue and Cancel, and what each still needs', async () => {
    api.on(MINE, () =>
      jsonResponse(200, {
        data: [myListingWire({ seller_view: sellerViewWire({ missing_for_publish: ['title', 'price'] }) })],
        has_more: false,
      }),
    )
    const view = await myListings('/my-listings?tab=drafts')

    expect(api.requestsTo(MINE).map((request) => request.url)).toEqual(['/api/v1/listings/mine?limit=20&status=draft'])
    expect(rowText(view)[0]).toContain('Untitled draftDraft')
    expect(rowText(view)[0]).toContain('2 things left before publishing')
    expect(view.findAll('section li a').map((link) => [link.text(), link.attributes('href')])).toEqual([
      ['Untitled draft', `/sell/${LISTING_ID}`],
      ['Continue', `/sell/${LISTING_ID}`],
    ])
    expect(view.findAll('section li button').map((button) => button.text())).toEqual(['Cancel listing'])
  })

  it('shows cancelled and taken-down listings together, with the staff reason', async () => {
    api.on(MINE, () =>
      jsonResponse(200, {
        data: [
          myListingWire({ status: 'withdrawn', title: 'Replica', seller_view: sellerViewWire({ withdrawn_reason: 'Counterfeit goods are not allowed.' }) }),
          myListingWire({ listing_id: 'b1', status: 'active', title: 'Other' }),
          myListingWire({ listing_id: 'c1', status: 'cancelled', title: 'Old draft' }),
        ],
        has_more: false,
      }),
    )
    const view = await myListings('/my-listings?tab=cancelled')

    expect(api.requestsTo(MINE).map((request) => request.url)).toEqual(['/api/v1/listings/mine?limit=100'])
    const rows = rowText(view)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toContain('Taken down by dBay staff: Counterfeit goods are not allowed.')
    expect(rows[1]).toContain('Old draftCancelled')
  })

  it('says when the list did not load', async () => {
    api.on(MINE, () => errorResponse(503, { code: 'service_unavailable' }))
    const view = await myListings('/my-listings')

    expect(view.text()).toContain('Your listings didn’t load')
  })
})
