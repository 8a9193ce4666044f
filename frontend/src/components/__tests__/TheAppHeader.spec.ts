import { PiniaColada } from '@pinia/colada'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, type Router } from 'vue-router'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, jsonResponse, noContent, type FakeApi } from '@/__tests__/fakeApi'
import { setAccessTokenProvider } from '@/api/http'
import { QUERY_DEFAULTS } from '@/queries/queryClient'
import { createAppRouter } from '@/router'
import { useSessionStore } from '@/stores/useSessionStore'

import TheAppHeader from '../TheAppHeader.vue'

let pinia: Pinia
let router: Router
let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(async () => {
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => errorResponse(401, { code: 'not_authenticated' }),
  })
  pinia = createPinia()
  setActivePinia(pinia)
  router = createAppRouter(createMemoryHistory())
  await router.push('/')
  await router.isReady()
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

/** The text a screen reader announces: without aria-hidden parts, whitespace collapsed. */
function accessibleText(element: Element): string {
  const copy = element.cloneNode(true) as Element
  copy.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove())
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim()
}

function mountHeader(): VueWrapper {
  wrapper = mount(TheAppHeader, { attachTo: document.body, global: { plugins: [pinia, router] } })
  return wrapper
}

function signInAlice(roles: string[] = ALICE.roles): void {
  const session = useSessionStore()
  session.sessionStart(tokensFor({ ...ALICE, roles }, 'access-1'))
  setAccessTokenProvider(() => session.accessToken)
}

describe('TheAppHeader', () => {
  it('has a main nav landmark with the home link, the four sections and Sign in', () => {
    useSessionStore().$patch({ hasRestored: true })
    const header = mountHeader()

    const nav = header.get('nav[aria-label="Main"]')
    const links = nav
      .findAll('a')
      .map((link) => [accessibleText(link.element), link.attributes('href')])
    expect(links).toEqual([
      ['dBay home', '/'],
      ['Browse', '/browse'],
      ['Sell', '/sell'],
      ['Wallet', '/wallet'],
      ['Messages', '/messages'],
      ['Sign in', '/sign-in'],
    ])
  })

  it('shows neither Sign in nor a user until the start-up session check has answered', () => {
    const header = mountHeader()

    const nav = header.get('nav[aria-label="Main"]')
    expect(nav.findAll('a').map((link) => link.text())).not.toContain('Sign in')
    expect(nav.find('button[aria-controls="app-header-account-menu"]').exists()).toBe(false)
  })

  it('marks the link of the current page', async () => {
    await router.push('/sell')
    const header = mountHeader()

    const current = header.findAll('nav[aria-label="Main"] a[aria-current="page"]')
    expect(current.map((link) => link.text())).toEqual(['Sell'])
  })

  it('shows the signed-in username with a menu of Account, Seller profile and Sign out', async () => {
    signInAlice()
    const header = mountHeader()

    const nav = header.get('nav[aria-label="Main"]')
    expect(nav.findAll('a').map((link) => link.text())).not.toContain('Sign in')
    const toggle = nav.get('button[aria-controls="app-header-account-menu"]')
    expect(accessibleText(toggle.element)).toBe('Account menu for alice')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(header.get('#app-header-account-menu').isVisible()).toBe(false)

    await toggle.trigger('click')

    expect(toggle.attributes('aria-expanded')).toBe('true')
    const menu = header.get('#app-header-account-menu')
    expect(menu.isVisible()).toBe(true)
    expect(
      menu.findAll('a, button').map((item) => [item.text(), item.attributes('href') ?? 'button']),
    ).toEqual([
      ['Account', '/account'],
      ['Notification settings', '/account/notifications'],
      ['My listings', '/my-listings'],
      ['Watchlist', '/watchlist'],
      ['Seller profile', '/sellers/alice'],
      ['Sign out', 'button'],
    ])
  })

  it('shows the notification bell and the unread messages to a signed-in user only', async () => {
    api.on('GET /api/v1/notifications/unread-count', () => jsonResponse(200, { unread_count: 4 }))
    api.on('GET /api/v1/messaging/unread-count', () => jsonResponse(200, { unread_count: 2 }))
    useSessionStore().$patch({ hasRestored: true })
    const signedOut = mountHeader()
    expect(signedOut.find('[data-testid="notification-bell"]').exists()).toBe(false)
    signedOut.unmount()

    signInAlice()
    const header = mount(TheAppHeader, {
      attachTo: document.body,
      global: { plugins: [pinia, [PiniaColada, { queryOptions: QUERY_DEFAULTS }], router] },
    })
    wrapper = header
    await flushPromises()

    expect(header.get('[data-testid="notification-bell"]').attributes('aria-label')).toBe('Notifications, 4 unread')
    const messages = header.get('nav[aria-label="Main"] a[href="/messages"]')
    expect(accessibleText(messages.element)).toBe('Messages, 2 unread messages')
  })

  it('closes the account menu on Escape and gives focus back to its button', async () => {
    signInAlice()
    const header = mountHeader()
    const toggle = header.get('button[aria-controls="app-header-account-menu"]')
    await toggle.trigger('click')

    await header.get('#app-header-account-menu a').trigger('keydown', { key: 'Escape' })

    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(document.activeElement).toBe(toggle.element)
  })

  it('signs out from the menu: ends the session on the server and here, and goes home', async () => {
    api.on('POST /api/v1/user/auth/logout', noContent)
    signInAlice()
    await router.push('/sell')
    const header = mountHeader()

    await header.get('button[aria-controls="app-header-account-menu"]').trigger('click')
    await header.findAll('#app-header-account-menu button').find((button) => button.text() === 'Sign out')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/user/auth/logout').map((request) => request.headers.authorization)).toEqual([
      'Bearer access-1',
    ])
    expect(useSessionStore().isSignedIn).toBe(false)
    expect(router.currentRoute.value.fullPath).toBe('/')
    expect(header.get('nav[aria-label="Main"]').findAll('a').map((link) => link.text())).toContain('Sign in')
  })

  it('opens and closes the small-screen menu, and closes it on navigation', async () => {
    useSessionStore().$patch({ hasRestored: true })
    const header = mountHeader()
    const toggle = header.get('button[aria-controls="app-header-menu"]')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(header.find('#app-header-menu').exists()).toBe(false)

    await toggle.trigger('click')

    expect(toggle.attributes('aria-expanded')).toBe('true')
    const menu = header.get('nav#app-header-menu')
    expect(menu.findAll('a').map((link) => link.text())).toEqual([
      'Browse',
      'Sell',
      'Wallet',
      'Messages',
      'Sign in',
    ])

    await router.push('/sell')
    await flushPromises()

    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(header.find('#app-header-menu').exists()).toBe(false)
  })

  it('closes the small-screen menu on Escape and gives focus back to its button', async () => {
    useSessionStore().$patch({ hasRestored: true })
    const header = mountHeader()
    const toggle = header.get('button[aria-controls="app-header-menu"]')
    await toggle.trigger('click')

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()

    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(header.find('#app-header-menu').exists()).toBe(false)
    expect(document.activeElement).toBe(toggle.element)
  })

  it('closes the account menu on a click outside it, leaving focus where it was', async () => {
    signInAlice()
    const header = mountHeader()
    const toggle = header.get('button[aria-controls="app-header-account-menu"]')
    await toggle.trigger('click')
    // onClickOutside handles one click per task: let the toggle's click finish first.
    await new Promise((resolve) => setTimeout(resolve, 0))

    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }))
    document.body.dispatchEvent(new MouseEvent('click', { bubbles: true }))
    await flushPromises()

    expect(toggle.attributes('aria-expanded')).toBe('false')
  })

  it('offers Account and Sign out in the small-screen menu when signed in', async () => {
    signInAlice()
    const header = mountHeader()

    await header.get('button[aria-controls="app-header-menu"]').trigger('click')

    const menu = header.get('nav#app-header-menu')
    expect(menu.findAll('li').map((item) => item.text())).toEqual([
      'Browse',
      'Sell',
      'Wallet',
      'Messages',
      'Signed in as alice',
      'Account',
      'My listings',
      'Watchlist',
      'Sign out',
    ])
  })

  it('adds Staff to both menus for a member with the staff role', async () => {
    signInAlice(['buyer', 'seller', 'staff'])
    const header = mountHeader()

    await header.get('button[aria-controls="app-header-account-menu"]').trigger('click')
    expect(
      header
        .get('#app-header-account-menu')
        .findAll('a, button')
        .map((item) => [item.text(), item.attributes('href') ?? 'button']),
    ).toEqual([
      ['Account', '/account'],
      ['Notification settings', '/account/notifications'],
      ['My listings', '/my-listings'],
      ['Watchlist', '/watchlist'],
      ['Seller profile', '/sellers/alice'],
      ['Staff', '/staff'],
      ['Sign out', 'button'],
    ])

    await header.get('button[aria-controls="app-header-menu"]').trigger('click')
    expect(header.get('nav#app-header-menu').findAll('li').map((item) => item.text())).toEqual([
      'Browse',
      'Sell',
      'Wallet',
      'Messages',
      'Signed in as alice',
      'Account',
      'My listings',
      'Watchlist',
      'Staff',
      'Sign out',
    ])
  })
})
