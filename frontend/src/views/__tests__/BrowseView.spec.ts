import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Router } from 'vue-router'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { CATEGORY_TREE_WIRE, searchHitWire, searchPageWire } from '@/__tests__/listingFixtures'
import { mountPage } from '@/__tests__/mountPage'

import BrowseView from '../BrowseView.vue'

const CATEGORIES = 'GET /api/v1/listings/categories'
const SEARCH = 'GET /api/v1/search/listings'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    [CATEGORIES]: () => jsonResponse(200, CATEGORY_TREE_WIRE),
    [SEARCH]: () => jsonResponse(200, searchPageWire([searchHitWire()])),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function browsePage(path: string, categoryId?: string): Promise<{ view: VueWrapper; router: Router }> {
  const mounted = await mountPage(BrowseView, { path, props: categoryId === undefined ? {} : { categoryId } })
  wrapper = mounted.wrapper
  await flushPromises()
  return { view: mounted.wrapper, router: mounted.router }
}

describe('BrowseView', () => {
  it('shows every category from the tree and everything for sale', async () => {
    const { view } = await browsePage('/browse')

    expect(api.requestsTo(CATEGORIES).map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/api/v1/listings/categories', undefined],
    ])
    expect(api.requestsTo(SEARCH).map((request) => request.url)).toEqual(['/api/v1/search/listings?limit=24'])
    expect(view.get('h1').text()).toBe('Browse')
    // The page's outline: h1, then "Everything for sale", then the cards under it.
    expect(view.get('#browse-all-heading').element.tagName).toBe('H2')
    expect(view.findAll('article h3').map((heading) => heading.text())).toEqual(['Zorblax vintage cameras kit'])
    expect(
      view.findAll('nav[aria-label="Categories"] a').map((link) => [link.text(), link.attributes('href')]),
    ).toEqual([
      ['Cameras & Photo', '/browse/cameras-photo'],
      ['Film cameras', '/browse/cameras-photo.film-cameras'],
      ['Lenses', '/browse/cameras-photo.lenses'],
      ['Books', '/browse/books'],
      ['Fiction', '/browse/books.fiction'],
    ])
  })

  it('shows a category with its own listings (the subtree) and keeps other filters in the URL', async () => {
    const { view, router } = await browsePage('/browse/cameras-photo.film-cameras?sort=ending_soonest', 'cameras-photo.film-cameras')

    expect(view.get('h1').text()).toBe('Film cameras')
    expect(document.title).toBe('Film cameras · dBay')
    expect(api.requestsTo(SEARCH).map((request) => request.url)).toEqual([
      '/api/v1/search/listings?category=cameras-photo.film-cameras&sort=ending_soonest&limit=24',
    ])
    expect(view.get('a[aria-current="page"]').text()).toBe('Film cameras')
    expect(view.findAll('article h2').map((heading) => heading.text())).toEqual(['Zorblax vintage cameras kit'])

    const good = view.findAll('input[type="checkbox"]').find((box) => box.element.parentElement?.textContent?.includes('Good'))
    await good?.setValue(true)
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/browse/cameras-photo.film-cameras?condition=good&sort=ending_soonest')
  })

  it('says when a category does not exist', async () => {
    const { view } = await browsePage('/browse/no-such', 'no-such')

    expect(view.get('h1').text()).toBe('Category not found')
    expect(view.text()).toContain('There is no such category. Pick one from Browse.')
    expect(view.findAll('article')).toHaveLength(0)
  })
})
