import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Router } from 'vue-router'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { searchHitWire, searchPageWire } from '@/__tests__/listingFixtures'
import { mountPage } from '@/__tests__/mountPage'

import SearchView from '../SearchView.vue'

const SEARCH = 'GET /api/v1/search/listings'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    [SEARCH]: () => jsonResponse(200, searchPageWire([searchHitWire()])),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function searchPage(path: string): Promise<{ view: VueWrapper; router: Router }> {
  const mounted = await mountPage(SearchView, { path })
  wrapper = mounted.wrapper
  await flushPromises()
  return { view: mounted.wrapper, router: mounted.router }
}

function searchUrls(): string[] {
  return api.requestsTo(SEARCH).map((request) => request.url)
}

function cardTitles(view: VueWrapper): string[] {
  return view.findAll('article h2').map((heading) => heading.text())
}

describe('SearchView', () => {
  it('searches for what the URL says and shows the results with the matched words marked', async () => {
    const { view } = await searchPage('/search?q=camera&condition=like_new&sort=most_bids')

    expect(searchUrls()).toEqual(['/api/v1/search/listings?q=camera&condition=like_new&sort=most_bids&limit=24'])
    expect(view.get('h1').text()).toBe('Results for “camera”')
    expect(view.get('[role="status"]').text()).toBe('1 result')
    expect(cardTitles(view)).toEqual(['Zorblax vintage cameras kit'])
    expect(view.get('article mark').text()).toBe('cameras')
    expect(view.get('article').text().replace(/\s+/g, ' ')).toBe(
      'Zorblax vintage cameras kitCurrent price Ð 15 DOGE+ Ð 2.5 DOGE shipping2 bidsTime left: Ended',
    )
    expect(view.get('article img').attributes('src')).toBe('/api/v1/listings/photos/p1/thumb')
    expect(view.get('article a').attributes('href')).toBe('/listings/8b0f6f0e-6a1d-4d59-9a55-0c3f0e6c2a11')
    expect((view.get('select').element as HTMLSelectElement).value).toBe('most_bids')
    const likeNew = view.findAll('input[type="checkbox"]').find((box) => box.element.parentElement?.textContent?.includes('Like new'))
    expect((likeNew?.element as HTMLInputElement).checked).toBe(true)
  })

  it('shows a title as text: markup in it never becomes elements', async () => {
    api.on(SEARCH, () =>
      jsonResponse(
        200,
        searchPageWire([
          searchHitWire({
            title: '<img src=x onerror=alert(1)> camera',
            title_html: '&lt;img src=x onerror=alert(1)&gt; <mark>camera</mark>',
            description_html: 'A <mark>camera</mark> &amp; &lt;script&gt;alert(2)&lt;/script&gt;',
          }),
        ]),
      ),
    )

    const { view } = await searchPage('/search?q=camera')

    expect(cardTitles(view)).toEqual(['<img src=x onerror=alert(1)> camera'])
    expect(view.findAll('article img').map((image) => image.attributes('src'))).toEqual(['/api/v1/listings/photos/p1/thumb'])
    expect(view.findAll('article mark').map((mark) => mark.text())).toEqual(['camera', 'camera'])
    expect(view.get('article p.line-clamp-2').text()).toBe('A camera & <script>alert(2)</script>')
    expect(view.find('article script').exists()).toBe(false)
  })

  it('puts a facet in the URL, searches again, and the back button takes it off', async () => {
    const { view, router } = await searchPage('/search?q=camera')

    const good = view.findAll('input[type="checkbox"]').find((box) => box.element.parentElement?.textContent?.includes('Good'))
    await good?.setValue(true)
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/search?q=camera&condition=good')
    expect(searchUrls()).toEqual([
      '/api/v1/search/listings?q=camera&limit=24',
      '/api/v1/search/listings?q=camera&condition=good&limit=24',
    ])

    router.back()
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 0))
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/search?q=camera')
    const goodAgain = view.findAll('input[type="checkbox"]').find((box) => box.element.parentElement?.textContent?.includes('Good'))
    expect((goodAgain?.element as HTMLInputElement).checked).toBe(false)
  })

  it('keeps a price range in DOGE in the URL, and refuses one that is not a number', async () => {
    const { view, router } = await searchPage('/search?q=camera')
    const [low, high] = view.findAll('input[inputmode="decimal"]')

    await low?.setValue('abc')
    await view.get('form[novalidate]').trigger('submit')
    expect(view.text()).toContain('Enter prices as numbers of DOGE, for example 12.5.')
    expect(router.currentRoute.value.fullPath).toBe('/search?q=camera')

    await low?.setValue('1.5')
    await high?.setValue('20')
    await view.get('form[novalidate]').trigger('submit')
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/search?q=camera&price_min=1.5&price_max=20')
    expect(searchUrls().at(-1)).toBe('/api/v1/search/listings?q=camera&price_min=1.5&price_max=20&limit=24')
  })

  it('loads more results along the cursor, after the ones shown', async () => {
    api.on(SEARCH, (request) =>
      request.url.includes('cursor=')
        ? jsonResponse(200, searchPageWire([searchHitWire({ listing_id: 'second', title: 'Second camera', title_html: '' })], { facets: null, total: 2 }))
        : jsonResponse(200, searchPageWire([searchHitWire()], { has_more: true, next_cursor: 'c-1', total: 2 })),
    )
    const { view } = await searchPage('/search?q=camera')

    const loadMore = view.findAll('button').find((button) => button.text() === 'Load more')
    await loadMore?.trigger('click')
    await flushPromises()

    expect(searchUrls()).toEqual([
      '/api/v1/search/listings?q=camera&limit=24',
      '/api/v1/search/listings?q=camera&limit=24&cursor=c-1',
    ])
    expect(cardTitles(view)).toEqual(['Zorblax vintage cameras kit', 'Second camera'])
    expect(view.findAll('button').some((button) => button.text() === 'Load more')).toBe(false)
  })

  it('says there were no results and echoes the words searched for', async () => {
    api.on(SEARCH, () => jsonResponse(200, searchPageWire([], { total: 0 })))

    const { view } = await searchPage('/search?q=zzyzx')

    expect(view.get('h2').text()).toBe('No results for “zzyzx”')
    expect(view.text()).toContain('Check the spelling, or try fewer or more general words.')
  })
})
