import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { installFakeApi, jsonResponse, noContent, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { LISTING_ID, listingDetailWire } from '@/__tests__/listingFixtures'
import { mountPage } from '@/__tests__/mountPage'
import { setAccessTokenProvider } from '@/api/http'
import { useSessionStore } from '@/stores/useSessionStore'

import WatchlistView from '../WatchlistView.vue'

const WATCHLIST = 'GET /api/v1/listings/watchlist'

let api: FakeApi
let wrapper: VueWrapper | undefined

function watchlistItemWire() {
  const snapshot: Partial<ReturnType<typeof listingDetailWire>> = listingDetailWire()
  delete snapshot.photos
  delete snapshot.seller_view
  return { id: LISTING_ID, watched_at: '2025-01-01T12:00:00Z', listing: snapshot }
}

beforeEach(() => {
  api = installFakeApi({
    [WATCHLIST]: () => jsonResponse(200, { data: [watchlistItemWire()], has_more: false }),
    [`DELETE /api/v1/listings/${LISTING_ID}/watch`]: () => noContent(),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function watchlistPage(): Promise<VueWrapper> {
  const mounted = await mountPage(WatchlistView, {
    path: '/watchlist',
    beforeNavigation: () => {
      const session = useSessionStore()
      session.sessionStart(tokensFor(ALICE, 'access-1'))
      setAccessTokenProvider(() => session.accessToken)
    },
  })
  wrapper = mounted.wrapper
  await flushPromises()
  return mounted.wrapper
}

describe('WatchlistView', () => {
  it('lists the watched listings and takes one off at once', async () => {
    const view = await watchlistPage()

    expect(api.requestsTo(WATCHLIST).map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/api/v1/listings/watchlist?limit=50', 'Bearer access-1'],
    ])
    expect(view.findAll('article h2').map((heading) => heading.text())).toEqual(['Zorblax vintage cameras kit'])

    await view.get('li button').trigger('click')
    await flushPromises()

    expect(api.requestsTo(`DELETE /api/v1/listings/${LISTING_ID}/watch`)).toHaveLength(1)
    expect(view.findAll('article')).toHaveLength(0)
    expect(view.get('h2').text()).toBe('You are not watching anything yet')
  })
})
