import { mount, flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, type Router } from 'vue-router'

import { createAppRouter } from '@/router'
import { useSessionStore } from '@/stores/useSessionStore'

import TheAppHeader from '../TheAppHeader.vue'

let pinia: Pinia
let router: Router

beforeEach(async () => {
  pinia = createPinia()
  setActivePinia(pinia)
  router = createAppRouter(createMemoryHistory())
  await router.push('/')
  await router.isReady()
})

/** The text a screen reader announces: without aria-hidden parts, whitespace collapsed. */
function accessibleText(element: Element): string {
  const copy = element.cloneNode(true) as Element
  copy.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove())
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim()
}

function mountHeader() {
  return mount(TheAppHeader, { global: { plugins: [pinia, router] } })
}

describe('TheAppHeader', () => {
  it('has a main nav landmark with the home link, the four sections and Sign in', () => {
    const wrapper = mountHeader()

    const nav = wrapper.get('nav[aria-label="Main"]')
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

  it('marks the link of the current page', async () => {
    await router.push('/wallet')
    const wrapper = mountHeader()

    const current = wrapper.findAll('nav[aria-label="Main"] a[aria-current="page"]')
    expect(current.map((link) => link.text())).toEqual(['Wallet'])
  })

  it('shows the signed-in user instead of Sign in', () => {
    useSessionStore().sessionStart({
      user: {
        id: 'usr_alice',
        username: 'alice',
        display_name: 'Alice',
        created_at: '2025-01-02T03:04:05Z',
      },
      accessToken: 'header.payload.signature',
    })
    const wrapper = mountHeader()

    const nav = wrapper.get('nav[aria-label="Main"]')
    expect(nav.text()).toContain('Alice')
    expect(nav.findAll('a').map((link) => link.text())).not.toContain('Sign in')
  })

  it('opens and closes the small-screen menu, and closes it on navigation', async () => {
    const wrapper = mountHeader()
    const toggle = wrapper.get('button[aria-controls="app-header-menu"]')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(wrapper.find('#app-header-menu').exists()).toBe(false)

    await toggle.trigger('click')

    expect(toggle.attributes('aria-expanded')).toBe('true')
    const menu = wrapper.get('nav#app-header-menu')
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
    expect(wrapper.find('#app-header-menu').exists()).toBe(false)
  })
})
