import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage, typeInto } from '@/__tests__/mountPage'
import { CATEGORIES_WIRE, LISTING_ID, listingWire } from '@/__tests__/sellFixtures'
import { setAccessTokenProvider } from '@/api/http'
import { sessionHintSet } from '@/lib/sessionHint'
import { useSessionStore } from '@/stores/useSessionStore'

import SellView from '../SellView.vue'

const DRAFTS = 'POST /api/v1/listings/drafts'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    'GET /api/v1/listings/categories': () => jsonResponse(200, CATEGORIES_WIRE),
    [`GET /api/v1/listings/${LISTING_ID}`]: () => jsonResponse(200, listingWire()),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function sellPage() {
  const mounted = await mountPage(SellView, {
    path: '/sell',
    beforeNavigation: () => {
      sessionHintSet(true)
      const session = useSessionStore()
      setAccessTokenProvider(() => session.accessToken)
    },
  })
  wrapper = mounted.wrapper
  await flushPromises()
  return mounted
}

const radioLabels = (view: VueWrapper): string[] => view.findAll('input[type="radio"]').map((radio) => radio.element.parentElement?.textContent?.trim() ?? '')

describe('SellView', () => {
  it('finds categories by any word of their name or group, accents and case ignored', async () => {
    const { wrapper: view } = await sellPage()
    expect(radioLabels(view)).toEqual(['Digital Cameras', 'Lenses', 'Plush Toys'])

    await typeInto(view, 'Find a category (optional)', 'CAMÉRA digital')
    expect(radioLabels(view)).toEqual(['Digital Cameras'])
    expect(view.text()).toContain('1 category matches')

    await typeInto(view, 'Find a category (optional)', 'hobbies')
    expect(radioLabels(view)).toEqual(['Plush Toys'])
  })

  it('asks for a category before starting', async () => {
    const { wrapper: view } = await sellPage()
    await view.get('form').trigger('submit')
    await flushPromises()

    expect(view.text()).toContain('Choose a category for your item.')
    expect(document.activeElement?.tagName).toBe('FIELDSET')
    expect(api.requestsTo(DRAFTS)).toEqual([])
  })

  it('starts a draft in the category with one Idempotency-Key, reused when the first answer was lost', async () => {
    const { wrapper: view, router } = await sellPage()
    await view.get('input[value="cameras-photo.lenses"]').setValue(true)
    api.on(DRAFTS, () => errorResponse(503, { code: 'service_unavailable' }))

    await view.get('form').trigger('submit')
    await flushPromises()
    expect(view.get('[role="alert"]').text()).not.toBe('')

    api.on(DRAFTS, () => jsonResponse(201, listingWire({ category_id: 'cameras-photo.lenses' })))
    await view.get('form').trigger('submit')
    await flushPromises()

    const sent = api.requestsTo(DRAFTS)
    expect(sent.map((request) => request.body)).toEqual([
      { category_id: 'cameras-photo.lenses' },
      { category_id: 'cameras-photo.lenses' },
    ])
    expect(sent[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(sent[1]?.headers['idempotency-key']).toBe(sent[0]?.headers['idempotency-key'])
    // The form's page loads lazily: wait for the navigation to land.
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/sell/${LISTING_ID}?step=photos`), { timeout: 5000 })
  })
})
