import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, type Router } from 'vue-router'

import { createAppRouter } from '@/router'

import App from '../App.vue'
import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from './fakeApi'
import { CATEGORY_TREE_WIRE, searchHitWire, searchPageWire } from './listingFixtures'

let router: Router
let wrapper: VueWrapper | undefined
let api: FakeApi

async function mountAppAt(path: string): Promise<VueWrapper> {
  const pinia = createPinia()
  setActivePinia(pinia)
  router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [pinia, router] },
  })
  await flushPromises()
  return wrapper
}

function headingText(app: VueWrapper): string {
  return app.get('h1').text()
}

beforeEach(() => {
  document.title = ''
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
  // Nobody is signed in: the start-up session check finds no refresh cookie.
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => errorResponse(401, { code: 'not_authenticated' }),
    'GET /api/v1/listings/categories': () => jsonResponse(200, CATEGORY_TREE_WIRE),
    'GET /api/v1/search/listings': (request) =>
      jsonResponse(200, request.url.includes('q=') ? searchPageWire([], { total: 0 }) : searchPageWire([searchHitWire()])),
    'GET /api/v1/user/sellers/alice': () =>
      jsonResponse(200, {
        username: 'alice',
        display_name: 'Alice A.',
        avatar_url: null,
        location: null,
        bio: null,
        member_since: '2025-01-02T12:00:00Z',
        rating: { count: 0, average: null },
        listing_count: 0,
      }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

describe('App layout', () => {
  it('renders the skip link, header, main content and footer around the home page', async () => {
    const app = await mountAppAt('/')

    const skipLink = app.get('a[href="#main-content"]')
    expect(skipLink.text()).toBe('Skip to main content')
    expect(app.find('header nav[aria-label="Main"]').exists()).toBe(true)
    expect(app.get('main#main-content').attributes('tabindex')).toBe('-1')
    expect(app.find('footer nav[aria-label="Footer"]').exists()).toBe(true)
    expect(headingText(app)).toBe('Bid, win and pay in DOGE.')
    expect(document.title).toBe('dBay — auctions in Dogecoin')
  })

  it('lists the five steps of how it works, in order', async () => {
    const app = await mountAppAt('/')

    const steps = app.findAll('#how-it-works ol > li h3').map((step) => step.text())
    expect(steps).toEqual([
      'Deposit DOGE',
      'Bid',
      'Win',
      'Pay into escrow',
      'Confirm delivery',
    ])
  })

  it('shows auctions ending soon, new listings and the categories from the real APIs', async () => {
    const app = await mountAppAt('/')

    expect(
      api
        .requestsTo('GET /api/v1/search/listings')
        .map((request) => request.url)
        .sort(),
    ).toEqual([
      '/api/v1/search/listings?format=auction&sort=ending_soonest&limit=4',
      '/api/v1/search/listings?sort=newly_listed&limit=4',
    ])
    expect(app.get('[aria-labelledby="ending-soon-heading"] ul article h3').text()).toBe('Zorblax vintage cameras kit')
    expect(app.get('[aria-labelledby="new-listings-heading"] ul article h3').text()).toBe('Zorblax vintage cameras kit')
    expect(
      app.findAll('[aria-labelledby="categories-heading"] a').map((link) => [link.text(), link.attributes('href')]),
    ).toEqual([
      ['Cameras & Photo', '/browse/cameras-photo'],
      ['Books', '/browse/books'],
    ])
    expect(app.text()).not.toContain('Coming soon')
  })

  it('opens Browse from the header, titles the page and moves focus to the new content', async () => {
    const app = await mountAppAt('/')

    await app.get('nav[aria-label="Main"] a[href="/browse"]').trigger('click')
    await vi.waitFor(() => {
      expect(headingText(app)).toBe('Browse')
    })

    expect(router.currentRoute.value.fullPath).toBe('/browse')
    expect(document.title).toBe('Browse · dBay')
    expect(document.activeElement?.id).toBe('main-content')
  })

  it('sends a search from the header to /search?q= and shows the query there', async () => {
    const app = await mountAppAt('/browse')

    await app.get('form[role="search"] input[type="search"]').setValue('  shiba plush ')
    await app.get('form[role="search"]').trigger('submit')
    await vi.waitFor(() => {
      expect(headingText(app)).toBe('Results for “shiba plush”')
    })

    expect(router.currentRoute.value.path).toBe('/search')
    expect(router.currentRoute.value.query).toEqual({ q: 'shiba plush' })
    await vi.waitFor(() => {
      expect(app.text()).toContain('No results for “shiba plush”')
    })
    expect(
      (app.get('form[role="search"] input[type="search"]').element as HTMLInputElement).value,
    ).toBe('shiba plush')
  })

  it('asks a signed-out visitor of /sell to sign in to sell', async () => {
    const app = await mountAppAt('/sell')

    expect(headingText(app)).toBe('Sell on dBay')
    expect(app.get('main').text()).toContain('Sign in to sell')
    expect(app.get('main a[href="/sign-in?next=/sell"]').text()).toBe('Sign in')
    expect(document.title).toBe('Sell · dBay')
  })

  it.each(['/messages', '/messages/c1', '/notifications', '/account/notifications'])(
    'sends a signed-out visitor of %s to sign in, and back after',
    async (path) => {
      await mountAppAt(path)

      expect(router.currentRoute.value.fullPath).toBe(`/sign-in?next=${path}`)
    },
  )

  it('shows the unsubscribe page signed out; without a token it says the link does not work', async () => {
    const app = await mountAppAt('/unsubscribe')

    expect(headingText(app)).toBe('Unsubscribe from emails')
    expect(document.title).toBe('Unsubscribe · dBay')
    expect(app.get('[role="alert"]').text()).toBe(
      'This link doesn’t workThis unsubscribe link is incomplete, was changed, or has expired. Sign in and change your notification settings instead.',
    )
  })

  it.each([
    ['/sign-in', 'Sign in', 'Sign in · dBay'],
    ['/register', 'Create your account', 'Create an account · dBay'],
    ['/forgot-password', 'Forgotten your password?', 'Forgotten password · dBay'],
    ['/reset-password?token=t', 'Choose a new password', 'Choose a new password · dBay'],
  ])('shows the account page %s', async (path, heading, title) => {
    const app = await mountAppAt(path)

    expect(headingText(app)).toBe(heading)
    expect(app.get('main').text()).not.toContain('Coming soon')
    expect(document.title).toBe(title)
  })

  it('shows a seller’s public profile, titled with their name', async () => {
    const app = await mountAppAt('/sellers/alice')

    expect(headingText(app)).toBe('Alice A.')
    expect(document.title).toBe('Alice A. · dBay')
  })

  it.each(['/account', '/wallet'])('sends a signed-out visitor of %s to sign-in', async (path) => {
    const app = await mountAppAt(path)

    expect(router.currentRoute.value.fullPath).toBe(`/sign-in?next=${path}`)
    expect(headingText(app)).toBe('Sign in')
  })

  it('shows a 404 page for an unknown path', async () => {
    const app = await mountAppAt('/no/such/page')

    expect(headingText(app)).toBe('Page not found')
    expect(app.get('main').text()).toContain('There is no page at /no/such/page.')
    expect(document.title).toBe('Page not found · dBay')
  })
})
