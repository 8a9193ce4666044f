import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { searchHitWire, searchPageWire } from '@/__tests__/listingFixtures'
import { alertTexts, mountPage } from '@/__tests__/mountPage'
import type { SellerProfile } from '@/api/user'

import SellerProfileView from '../SellerProfileView.vue'

const SEARCH = 'GET /api/v1/search/listings'
const ALICE_ID = '5a1ce000-1111-4222-8333-944455556666'

const ALICE_SELLER: SellerProfile = {
  id: ALICE_ID,
  username: 'alice',
  display_name: 'Alice A.',
  avatar_url: '',
  location: 'Lyon',
  bio: 'Vintage cameras,\nlovingly tested.',
  member_since: '2025-01-02T12:00:00Z',
  rating: { count: 0, average: null },
  listing_count: 1,
}

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi()
  api.on(SEARCH, () => jsonResponse(200, searchPageWire([searchHitWire({ seller_username: 'alice' })])))
  document.title = ''
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function sellerPage(username: string): Promise<VueWrapper> {
  const page = await mountPage(SellerProfileView, { path: `/sellers/${username}`, props: { username } })
  wrapper = page.wrapper
  await flushPromises()
  return page.wrapper
}

function statistics(page: VueWrapper): string[][] {
  return page.findAll('dl > div').map((item) => [item.get('dt').text(), item.get('dd').text()])
}

describe('SellerProfileView', () => {
  it('shows the public profile without signing in', async () => {
    api.on('GET /api/v1/user/sellers/alice', () => jsonResponse(200, ALICE_SELLER))

    const page = await sellerPage('alice')

    expect(api.requests.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/api/v1/user/sellers/alice', undefined],
      ['/api/v1/search/listings?seller=alice&sort=newly_listed&limit=8', undefined],
    ])
    expect(page.get('h1').text()).toBe('Alice A.')
    expect(page.get('h1 + p').text().replace(/\s+/g, ' ')).toBe('@alice · Lyon')
    expect(statistics(page)).toEqual([
      ['Member since', 'January 2025'],
      ['Rating', 'No ratings yet'],
      ['Listings', '1 listing'],
    ])
    expect(page.get('#seller-about-heading + p').text()).toBe('Vintage cameras,\nlovingly tested.')
    expect(page.get('[aria-labelledby="seller-heading"]').find('img').exists()).toBe(false)
    expect(page.findAll('button').map((button) => button.text())).toContain('Contact seller')
    const listings = page.get('[aria-labelledby="seller-listings-heading"]')
    expect(listings.findAll('a').map((link) => link.text())).toContain('Zorblax vintage cameras kit')
    expect(listings.findAll('a').at(-1)?.attributes('href')).toBe('/search?seller=alice')
    expect(document.title).toBe('Alice A. · dBay')
  })

  it('shows the rating summary, the avatar and the username when there is no display name', async () => {
    api.on('GET /api/v1/user/sellers/bob', () =>
      jsonResponse(200, {
        ...ALICE_SELLER,
        username: 'bob',
        display_name: '',
        avatar_url: 'https://images.example/bob.png',
        location: null,
        bio: null,
        rating: { count: 12, average: 4.75 },
        listing_count: 0,
      }),
    )
    api.on(SEARCH, () => jsonResponse(200, searchPageWire([])))

    const page = await sellerPage('bob')

    expect(page.get('h1').text()).toBe('bob')
    expect(page.get('h1 + p').text()).toBe('@bob')
    expect(statistics(page)).toEqual([
      ['Member since', 'January 2025'],
      ['Rating', '4.8 out of 5 (12 ratings)'],
      ['Listings', '0 listings'],
    ])
    expect(page.get('[aria-labelledby="seller-heading"] img').attributes('src')).toBe('https://images.example/bob.png')
    expect(page.find('#seller-about-heading').exists()).toBe(false)
  })

  it('never loads an avatar that is not a web URL', async () => {
    api.on('GET /api/v1/user/sellers/eve', () =>
      jsonResponse(200, { ...ALICE_SELLER, username: 'eve', avatar_url: 'javascript:alert(1)' }),
    )

    const page = await sellerPage('eve')

    expect(page.get('[aria-labelledby="seller-heading"]').find('img').exists()).toBe(false)
  })

  it('says so when there is no such seller', async () => {
    api.on('GET /api/v1/user/sellers/nobody', () => errorResponse(404, { code: 'not_found' }))

    const page = await sellerPage('nobody')

    expect(page.get('h1').text()).toBe('Seller not found')
    expect(page.text()).toContain('There is no seller called “nobody” on dBay.')
  })

  it('shows other failures as an error', async () => {
    api.on('GET /api/v1/user/sellers/alice', () => errorResponse(503, { code: 'service_unavailable' }))

    const page = await sellerPage('alice')

    expect(page.get('h1').text()).toBe('alice')
    expect(alertTexts(page)).toEqual(['Something went wrong on our side. Please try again in a moment.'])
  })
})
