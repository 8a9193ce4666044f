import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { CATEGORIES_WIRE, FEES_WIRE, LISTING_ID, listingWire, sellerViewWire } from '@/__tests__/sellFixtures'
import { setAccessTokenProvider } from '@/api/http'
import { sessionHintSet } from '@/lib/sessionHint'
import { useSessionStore } from '@/stores/useSessionStore'

import SellEditView from '../SellEditView.vue'

const LISTING = `GET /api/v1/listings/${LISTING_ID}`
const PATCH = `PATCH /api/v1/listings/${LISTING_ID}`

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    'GET /api/v1/listings/categories': () => jsonResponse(200, CATEGORIES_WIRE),
    'GET /api/v1/listings/fees': () => jsonResponse(200, FEES_WIRE),
    [LISTING]: () => jsonResponse(200, listingWire()),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function sellPage(step: string): Promise<VueWrapper> {
  const mounted = await mountPage(SellEditView, {
    path: `/sell/${LISTING_ID}?step=${step}`,
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

async function buttonClick(view: VueWrapper, name: string): Promise<void> {
  const button = view.findAll('button').find((candidate) => candidate.text() === name)
  if (button === undefined) {
    throw new Error(`no button "${name}"`)
  }
  await button.trigger('click')
  button.element.closest('form')?.dispatchEvent(new Event('submit'))
  await flushPromises()
}

describe('SellEditView, details step', () => {
  it('shows every missing field at once and sends nothing', async () => {
    const view = await sellPage('details')

    await buttonClick(view, 'Save and continue')

    expect(fieldError(fieldByLabel(view, 'Title'))).toBe('Enter a title.')
    expect(fieldError(view.get('select').element)).toBe('Choose the item\'s condition.')
    expect(fieldError(fieldByLabel(view, 'Description'))).toBe('Describe the item.')
    expect(document.activeElement).toBe(fieldByLabel(view, 'Title'))
    expect(api.requestsTo(PATCH)).toEqual([])
  })

  it('offers the category\'s suggested item specifics and saves the step with one PATCH', async () => {
    const view = await sellPage('details')
    expect(fieldByLabel(view, 'Name 1 (optional)').value).toBe('Brand')
    expect(fieldByLabel(view, 'Name 2 (optional)').value).toBe('Model')

    api.on(PATCH, () => jsonResponse(200, listingWire({ title: 'Shiba camera', version: 2 })))
    await typeInto(view, 'Title', ' Shiba camera ')
    await view.get('select').setValue('like_new')
    await typeInto(view, 'Description', 'Works well.')
    await typeInto(view, 'Value 1 (optional)', 'Canon')
    await buttonClick(view, 'Save and continue')

    expect(api.requestsTo(PATCH).map((request) => request.body)).toEqual([
      {
        title: 'Shiba camera',
        condition: 'like_new',
        description: 'Works well.',
        item_specifics: [{ name: 'Brand', value: 'Canon' }],
      },
    ])
    await flushPromises()
    expect(view.get('h2').text()).toBe('Step 4 of 6: Format and price')
  })

  it('puts the API\'s 400 on the field its param names, however deep', async () => {
    const view = await sellPage('details')
    api.on(PATCH, () =>
      errorResponse(400, { code: 'invalid_field', param: 'item_specifics.0.value', message: 'Ensure this field has no more than 100 characters.' }),
    )
    await typeInto(view, 'Title', 'Camera')
    await view.get('select').setValue('good')
    await typeInto(view, 'Description', 'Fine.')
    await typeInto(view, 'Value 1 (optional)', 'Canon')
    await buttonClick(view, 'Save and continue')

    expect(view.text()).toContain('Ensure this field has no more than 100 characters.')
    expect(view.get('h2').text()).toBe('Step 3 of 6: Details')
  })
})

describe('SellEditView, price step', () => {
  it('sends the auction\'s prices as exact koinu strings and shows what the seller receives', async () => {
    const view = await sellPage('price')
    await typeInto(view, 'Start price (DOGE)', '10')
    await typeInto(view, 'Buy It Now price (DOGE) (optional)', '25.5')

    // 25.5 DOGE − 5 % = 24.225 DOGE
    expect(view.get('[data-testid="fee-you-receive"] data').attributes('value')).toBe('2422500000')

    api.on(PATCH, () => jsonResponse(200, listingWire({ price_koinu: '1000000000', buy_it_now_koinu: '2550000000' })))
    await buttonClick(view, 'Save and finish later')

    expect(api.requestsTo(PATCH).map((request) => request.body)).toEqual([
      {
        format: 'auction',
        duration_days: 7,
        end_time: null,
        scheduled_start_at: null,
        start_price_koinu: '1000000000',
        reserve_price_koinu: null,
        buy_it_now_koinu: '2550000000',
      },
    ])
  })

  it('on an active auction with bids, sends neither prices nor timing and says why', async () => {
    api.on(LISTING, () =>
      jsonResponse(
        200,
        listingWire({
          status: 'active',
          bid_count: 2,
          price_koinu: '1000000000',
          // Started at its scheduled time, now past: not checked again, as it cannot change.
          seller_view: sellerViewWire({ duration_days: 7, scheduled_start_at: '2020-01-01T10:00:00Z' }),
        }),
      ),
    )
    const view = await sellPage('price')

    expect(view.text()).toContain('The auction has bids, so its prices, format and timing can no longer change.')
    expect(fieldByLabel(view, 'Start price (DOGE)').disabled).toBe(true)
    api.on(PATCH, () => jsonResponse(200, listingWire({ status: 'active' })))
    await buttonClick(view, 'Save and continue')
    expect(api.requestsTo(PATCH).map((request) => request.body)).toEqual([{}])
  })
})

describe('SellEditView, review step', () => {
  it('lists what a draft still needs, and keeps Publish off until it is complete', async () => {
    api.on(LISTING, () =>
      jsonResponse(200, listingWire({ seller_view: sellerViewWire({ missing_for_publish: ['title', 'shipping_options'] }) })),
    )
    const view = await sellPage('review')

    expect(view.text()).toContain('Before you can publish, add:')
    expect(view.findAll('li').map((item) => item.text().replace(/\s+/g, ' '))).toContain('a title — go to Details')
    const publish = view.findAll('button').find((button) => button.text() === 'Publish listing')
    expect(publish?.attributes('disabled')).toBeDefined()
  })

  it('publishes a complete draft and goes to My listings', async () => {
    api.on(LISTING, () =>
      jsonResponse(200, listingWire({ title: 'Camera', price_koinu: '1000000000', seller_view: sellerViewWire({ duration_days: 7 }) })),
    )
    api.on(`POST /api/v1/listings/${LISTING_ID}/publish`, () => jsonResponse(200, listingWire({ status: 'active' })))
    api.on('GET /api/v1/listings/mine', () => jsonResponse(200, { data: [], has_more: false }))
    const mounted = await mountPage(SellEditView, {
      path: `/sell/${LISTING_ID}?step=review`,
      props: { id: LISTING_ID },
      beforeNavigation: () => {
        sessionHintSet(true)
        const session = useSessionStore()
        setAccessTokenProvider(() => session.accessToken)
      },
    })
    wrapper = mounted.wrapper
    await flushPromises()

    await mounted.wrapper.findAll('button').find((button) => button.text() === 'Publish listing')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo(`POST /api/v1/listings/${LISTING_ID}/publish`)).toHaveLength(1)
    expect(mounted.router.currentRoute.value.fullPath).toBe(`/my-listings?tab=active&published=${LISTING_ID}`)
  })
})
