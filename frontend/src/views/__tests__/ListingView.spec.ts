import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Router } from 'vue-router'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { LISTING_ID, SELLER_ID, listingDetailWire } from '@/__tests__/listingFixtures'
import { blockText, mountPage } from '@/__tests__/mountPage'
import { setAccessTokenProvider } from '@/api/http'
import { useSessionStore } from '@/stores/useSessionStore'

import ListingView from '../ListingView.vue'

const DETAIL = `GET /api/v1/listings/${LISTING_ID}`
const WATCHLIST = 'GET /api/v1/listings/watchlist'
const WATCH = `PUT /api/v1/listings/${LISTING_ID}/watch`

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
  vi.setSystemTime(new Date('2025-01-01T12:00:00Z'))
  api = installFakeApi({
    [DETAIL]: () => jsonResponse(200, listingDetailWire({ ends_at: '2025-01-03T15:30:09Z' })),
    [WATCHLIST]: () => jsonResponse(200, { data: [], has_more: false }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
  vi.useRealTimers()
})

async function listingPage(options: { isSignedIn?: boolean } = {}): Promise<{ view: VueWrapper; router: Router }> {
  const mounted = await mountPage(ListingView, {
    path: `/listings/${LISTING_ID}`,
    props: { id: LISTING_ID },
    beforeNavigation: () => {
      if (options.isSignedIn === true) {
        const session = useSessionStore()
        session.sessionStart(tokensFor(ALICE, 'access-1'))
        setAccessTokenProvider(() => session.accessToken)
      }
    },
  })
  wrapper = mounted.wrapper
  await flushPromises()
  return { view: mounted.wrapper, router: mounted.router }
}

/** The term and description pairs of a <dl>, as read aloud. */
function pairs(view: VueWrapper, selector: string): string[][] {
  return view.get(selector).findAll('dl > div').map((row) => [row.get('dt').text(), row.get('dd').text().replace(/\s+/g, ' ')])
}

function watchButton(view: VueWrapper) {
  const button = view.findAll('button').find((candidate) => /^(Watch|Watching)$/.test(candidate.text()))
  if (button === undefined) {
    throw new Error('no watch button')
  }
  return button
}

describe('ListingView', () => {
  it('shows the listing: title, the bidding region, shipping and pickup, seller, specifics', async () => {
    const { view } = await listingPage()

    expect(api.requestsTo(DETAIL).map((request) => request.headers.authorization)).toEqual([undefined])
    expect(view.get('h1').text()).toBe('Zorblax vintage cameras kit')
    expect(document.title).toBe('Zorblax vintage cameras kit · dBay')
    expect(pairs(view, '[data-slot="bidding"]')).toEqual([
      ['Starting bid', 'Ð 15 DOGE'],
      ['Bids', '0 bids'],
      ['Buy It Now price', 'Ð 90 DOGE'],
      ['Time left', '2d 3h left'],
    ])
    const shipping = view.get('[aria-labelledby="listing-shipping-heading"]')
    expect(shipping.findAll('li').map((option) => option.findAll('li > span').map((part) => blockText(part.element)))).toEqual([
      ['Standard post Ships to Worldwide', 'Ð 2.5 DOGE'],
    ])
    expect(shipping.findAll('section > p').map((line) => line.text())).toEqual([
      'Local pickup is available.',
      'Item location: Berlin, Germany',
    ])
    expect(view.get('[data-slot="seller-rating"]').text()).toBe('No ratings yet')
    expect(view.get('section[aria-label="Seller"] a').attributes('href')).toBe('/sellers/bob')
    expect(view.findAll('dl dt').map((term) => term.text()).slice(-3)).toEqual(['Condition', 'Brand', 'Listed'])
    expect(view.text()).toContain('Zorblax Optics')
    expect(view.findAll('nav ol a').map((link) => [link.text(), link.attributes('href')])).toEqual([
      ['Cameras & Photo', '/browse/cameras-photo'],
      ['Film cameras', '/browse/cameras-photo.film-cameras'],
    ])
  })

  it('counts the time left down every second, and says when the auction has ended', async () => {
    api.on(DETAIL, () => jsonResponse(200, listingDetailWire({ ends_at: '2025-01-01T12:01:01Z' })))
    const { view } = await listingPage()
    const timeLeft = () => view.get('[data-slot="bidding"] time').text()

    expect(timeLeft()).toBe('1m 1s left')
    await vi.advanceTimersByTimeAsync(2_000)
    expect(timeLeft()).toBe('0m 59s left')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(timeLeft()).toBe('Ended')
  })

  it('says a sold listing is sold, with no countdown', async () => {
    api.on(DETAIL, () => jsonResponse(200, listingDetailWire({ status: 'sold', bid_count: 3 })))
    const { view } = await listingPage()

    expect(pairs(view, '[data-slot="bidding"]')).toEqual([
      ['Current bid', 'Ð 15 DOGE'],
      ['Bids', '3 bids'],
      ['Buy It Now price', 'Ð 90 DOGE'],
      ['Status', 'Sold'],
    ])
    expect(view.find('[data-slot="bidding"] time').exists()).toBe(false)
  })

  it('shows the photos in order, enlarges one on click and closes it with Escape', async () => {
    const { view } = await listingPage()

    expect(view.get('button[aria-label="Enlarge photo 1 of 2"] img').attributes('src')).toBe('/api/v1/listings/photos/p1/display')
    await view.get('button[aria-label="Show photo 2 of 2"]').trigger('click')
    const enlarge = view.get('button[aria-label="Enlarge photo 2 of 2"]')
    await enlarge.trigger('click')

    const dialog = document.querySelector('[role="dialog"]')
    expect(dialog?.getAttribute('aria-modal')).toBe('true')
    expect(dialog?.querySelector('img')?.getAttribute('src')).toBe('/api/v1/listings/photos/p2/original')
    expect(document.activeElement?.textContent?.trim()).toBe('Close')

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()

    expect(document.querySelector('[role="dialog"]')).toBeNull()
    expect(document.activeElement).toBe(enlarge.element)
  })

  it('sends a signed-out visitor to sign in first, and back to the listing after', { timeout: 15_000 }, async () => {
    const { view, router } = await listingPage()

    await watchButton(view).trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/sign-in?next=/listings/${LISTING_ID}`), {
      timeout: 10_000,
    })
    expect(api.requestsTo(WATCH)).toEqual([])
    expect(api.requestsTo(WATCHLIST)).toEqual([])
  })

  it('watches at once, and goes back to Watch with the reason when the API refuses', async () => {
    let answer: (response: Response) => void = () => undefined
    api.on(WATCH, () => new Promise<Response>((resolve) => (answer = resolve)))
    const { view } = await listingPage({ isSignedIn: true })
    expect(api.requestsTo(WATCHLIST).map((request) => request.url)).toEqual(['/api/v1/listings/watchlist?limit=50'])
    expect(watchButton(view).attributes('aria-pressed')).toBe('false')

    await watchButton(view).trigger('click')
    await flushPromises()

    expect(api.requestsTo(WATCH).map((request) => request.headers.authorization)).toEqual(['Bearer access-1'])
    expect(watchButton(view).text()).toBe('Watching')
    expect(watchButton(view).attributes('aria-pressed')).toBe('true')

    answer(errorResponse(409, { code: 'listing_not_watchable', message: 'Ended.' }))
    await flushPromises()

    expect(watchButton(view).text()).toBe('Watch')
    expect(view.get('[role="status"]').text()).toBe('This listing has ended, so it can no longer be watched.')
  })

  it('stops watching a watched listing with DELETE', async () => {
    api.on(WATCHLIST, () =>
      jsonResponse(200, {
        data: [{ id: LISTING_ID, watched_at: '2025-01-01T12:00:00Z', listing: { ...listingDetailWire(), photos: undefined } }],
        has_more: false,
      }),
    )
    api.on(`DELETE /api/v1/listings/${LISTING_ID}/watch`, () => new Response(null, { status: 204 }))
    const { view } = await listingPage({ isSignedIn: true })
    expect(watchButton(view).text()).toBe('Watching')

    await watchButton(view).trigger('click')
    await flushPromises()

    expect(api.requestsTo(`DELETE /api/v1/listings/${LISTING_ID}/watch`)).toHaveLength(1)
    expect(watchButton(view).text()).toBe('Watch')
  })

  it('still offers Watch when the watchlist could not be read', async () => {
    api.on(WATCHLIST, () => errorResponse(503, { code: 'service_unavailable', message: 'Down.' }))
    api.on(WATCH, () => jsonResponse(200, { listing_id: LISTING_ID, watching: true }))
    const { view } = await listingPage({ isSignedIn: true })

    expect(watchButton(view).attributes('disabled')).toBeUndefined()
    await watchButton(view).trigger('click')
    await flushPromises()

    expect(api.requestsTo(WATCH)).toHaveLength(1)
    expect(watchButton(view).text()).toBe('Watching')
  })

  it('says when there is no such listing', async () => {
    api.on(DETAIL, () => errorResponse(404, { code: 'listing_not_found', message: 'No such listing.' }))
    const { view } = await listingPage()

    expect(view.get('h1').text()).toBe('Listing not found')
  })

  describe('Contact seller', () => {
    function contactButton(view: VueWrapper) {
      return view.findAll('button').find((button) => button.text() === 'Contact seller')
    }

    it('signed out: goes to sign in, and back to the listing after', async () => {
      const { view, router } = await listingPage()

      await contactButton(view)?.trigger('click')
      await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/sign-in?next=/listings/${LISTING_ID}`))
    })

    it('signed in: a compose box, then the conversation about this listing', async () => {
      api.on('POST /api/v1/messaging/conversations', () =>
        jsonResponse(201, {
          id: 'conv_9',
          listing: { id: LISTING_ID, title: 'Zorblax vintage cameras kit', photo_url: null },
          other_party: { id: SELLER_ID, display_name: '', username: 'bob' },
          last_message: null,
          unread_count: 0,
          other_last_read_message_id: null,
          blocked: false,
          blocked_by_other: false,
          created_at: '2025-01-01T12:00:00Z',
          updated_at: '2025-01-01T12:00:00Z',
        }),
      )
      const { view, router } = await listingPage({ isSignedIn: true })

      await contactButton(view)?.trigger('click')
      const form = view.get('form[aria-label="Message to bob"]')
      await form.get('textarea').setValue('  Does it ship to Lyon?  ')
      await form.trigger('submit')
      await flushPromises()

      const sent = api.requestsTo('POST /api/v1/messaging/conversations')
      expect(sent.map((request) => request.body)).toEqual([{ listing_id: LISTING_ID, body: 'Does it ship to Lyon?' }])
      expect(sent[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
      await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/messages/conv_9'))
    })

    it('is not offered on your own listing', async () => {
      api.on(DETAIL, () => jsonResponse(200, listingDetailWire({ seller_id: ALICE.id })))
      const { view } = await listingPage({ isSignedIn: true })

      expect(contactButton(view)).toBeUndefined()
    })
  })
})
