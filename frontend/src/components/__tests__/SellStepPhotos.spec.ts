import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import { CATEGORIES_WIRE, LISTING_ID, listingWire } from '@/__tests__/sellFixtures'
import { setAccessTokenProvider } from '@/api/http'
import { sessionHintSet } from '@/lib/sessionHint'
import { useSessionStore } from '@/stores/useSessionStore'
import SellEditView from '@/views/SellEditView.vue'

const PHOTO_A = 'aaaaaaaa-0000-4000-8000-000000000001'
const PHOTO_B = 'bbbbbbbb-0000-4000-8000-000000000002'

function photoWire(id: string, position: number, state: 'processing' | 'ready' = 'ready') {
  return {
    id,
    position,
    state,
    width: 800,
    height: 600,
    urls: {
      original: `/api/v1/listings/photos/${id}/original`,
      thumb: state === 'ready' ? `/api/v1/listings/photos/${id}/thumb` : null,
      display: state === 'ready' ? `/api/v1/listings/photos/${id}/display` : null,
    },
  }
}

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    'GET /api/v1/listings/categories': () => jsonResponse(200, CATEGORIES_WIRE),
    [`GET /api/v1/listings/${LISTING_ID}`]: () =>
      jsonResponse(200, listingWire({ photos: [photoWire(PHOTO_A, 0), photoWire(PHOTO_B, 1, 'processing')], photo_count: 2 })),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function photosStep(): Promise<VueWrapper> {
  const mounted = await mountPage(SellEditView, {
    path: `/sell/${LISTING_ID}?step=photos`,
    props: { id: LISTING_ID },
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

const button = (view: VueWrapper, label: string) => view.get(`button[aria-label="${label}"]`)

describe('SellStepPhotos', () => {
  it('shows thumbnails, "Processing…" until a thumbnail is made, and the main photo', async () => {
    const view = await photosStep()

    const items = view.findAll('ol[aria-label="Your photos"] > li')
    expect(items.map((item) => item.attributes('data-photo-id'))).toEqual([PHOTO_A, PHOTO_B])
    expect(items[0]?.get('img').attributes()).toMatchObject({ alt: 'Photo 1 of 2', src: `/api/v1/listings/photos/${PHOTO_A}/thumb` })
    expect(items[0]?.text()).toContain('Main photo')
    expect(items[1]?.text()).toContain('Processing…')
    expect(button(view, 'Move photo 1 earlier').attributes('disabled')).toBeDefined()
    expect(button(view, 'Move photo 2 later').attributes('disabled')).toBeDefined()
  })

  it('moves a photo with its buttons (PUT photos/order with every photo) and says where it went', async () => {
    const view = await photosStep()
    api.on(`PUT /api/v1/listings/${LISTING_ID}/photos/order`, () => {
      // The listing read again after the change has the new order too.
      api.on(`GET /api/v1/listings/${LISTING_ID}`, () =>
        jsonResponse(200, listingWire({ photos: [photoWire(PHOTO_B, 0), photoWire(PHOTO_A, 1)], photo_count: 2 })),
      )
      return jsonResponse(200, { data: [photoWire(PHOTO_B, 0), photoWire(PHOTO_A, 1)] })
    })

    await button(view, 'Move photo 2 earlier').trigger('click')
    await flushPromises()

    expect(api.requestsTo(`PUT /api/v1/listings/${LISTING_ID}/photos/order`).map((request) => request.body)).toEqual([
      { photo_ids: [PHOTO_B, PHOTO_A] },
    ])
    expect(view.findAll('ol[aria-label="Your photos"] > li').map((item) => item.attributes('data-photo-id'))).toEqual([
      PHOTO_B,
      PHOTO_A,
    ])
    expect(view.get('p[role="status"].sr-only').text()).toBe('Photo moved to position 1 of 2.')
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Move photo 1 later')
  })

  it('deletes a photo', async () => {
    const view = await photosStep()
    api.on(`DELETE /api/v1/listings/${LISTING_ID}/photos/${PHOTO_A}`, () => {
      api.on(`GET /api/v1/listings/${LISTING_ID}`, () =>
        jsonResponse(200, listingWire({ photos: [photoWire(PHOTO_B, 0)], photo_count: 1 })),
      )
      return jsonResponse(200, { data: [photoWire(PHOTO_B, 0)] })
    })

    await button(view, 'Delete photo 1').trigger('click')
    await flushPromises()

    expect(api.requestsTo(`DELETE /api/v1/listings/${LISTING_ID}/photos/${PHOTO_A}`)).toHaveLength(1)
    expect(view.findAll('ol[aria-label="Your photos"] > li').map((item) => item.attributes('data-photo-id'))).toEqual([PHOTO_B])
  })

  it('refuses files of the wrong type or over 10 MB in plain words, without sending them', async () => {
    const view = await photosStep()
    const input = view.get('input[type="file"]')
    const big = new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'huge.jpg', { type: 'image/jpeg' })
    const text = new File(['hello'], 'notes.txt', { type: 'text/plain' })
    Object.defineProperty(input.element, 'files', { value: [text, big], configurable: true })

    await input.trigger('change')
    await flushPromises()

    expect(view.findAll('[role="alert"]').map((alert) => alert.text())).toEqual([
      'notes.txt was not added: This is not a JPEG, PNG or WebP image.',
      'huge.jpg was not added: This file is too big: a photo can be at most 10 MB.',
    ])
    expect(api.requests.filter((request) => request.url.includes('/photos'))).toEqual([])
  })
})
