import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Router } from 'vue-router'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { mountPage } from '@/__tests__/mountPage'

import SearchBox from '../SearchBox.vue'

const SUGGEST = 'GET /api/v1/search/suggest'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
  api = installFakeApi({
    [SUGGEST]: () =>
      jsonResponse(200, {
        titles: ['Zorblax vintage cameras kit', 'Zorblax lens'],
        categories: [{ id: 'cameras-photo.film-cameras', name: 'Film cameras', count: 3 }],
      }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.useRealTimers()
})

async function searchBox(path = '/'): Promise<{ box: VueWrapper; router: Router }> {
  const mounted = await mountPage(SearchBox, { path })
  wrapper = mounted.wrapper
  return { box: mounted.wrapper, router: mounted.router }
}

async function type(box: VueWrapper, text: string): Promise<void> {
  await box.get('input').setValue(text)
  await vi.advanceTimersByTimeAsync(250)
  await flushPromises()
}

function options(box: VueWrapper): string[] {
  return box
    .findAll('[role="option"]')
    .map((option) => option.findAll('span').map((part) => part.text()).join(' '))
}

describe('SearchBox', () => {
  it('asks for suggestions once typing pauses and lists them in a listbox', async () => {
    const { box } = await searchBox()
    const input = box.get('input')

    await input.setValue('z')
    await input.setValue('zo')
    await input.setValue('zor')
    expect(api.requestsTo(SUGGEST)).toEqual([])
    await vi.advanceTimersByTimeAsync(250)
    await flushPromises()

    expect(api.requestsTo(SUGGEST).map((request) => request.url)).toEqual(['/api/v1/search/suggest?q=zor'])
    expect(input.attributes('role')).toBe('combobox')
    expect(input.attributes('aria-expanded')).toBe('true')
    expect(box.get('[role="listbox"]').attributes('id')).toBe(input.attributes('aria-controls'))
    expect(options(box)).toEqual(['Zorblax vintage cameras kit', 'Zorblax lens', 'in Film cameras 3 listings'])
    expect(box.get('[role="status"]').text()).toBe('3 suggestions, use the up and down arrows to choose')
  })

  it('moves through the options with the arrow keys and opens the chosen one with Enter', async () => {
    const { box, router } = await searchBox()
    await type(box, 'zor')
    const input = box.get('input')

    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'ArrowDown' })
    const active = box.findAll('[role="option"]')[1]
    expect(input.attributes('aria-activedescendant')).toBe(active?.attributes('id'))
    expect(active?.attributes('aria-selected')).toBe('true')
    await input.trigger('keydown', { key: 'ArrowUp' })
    await input.trigger('keydown', { key: 'ArrowUp' })
    expect(input.attributes('aria-activedescendant')).toBe(box.findAll('[role="option"]')[2]?.attributes('id'))

    await input.trigger('keydown', { key: 'Enter' })

    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/browse/cameras-photo.film-cameras'), {
      timeout: 5_000,
    })
  })

  it('closes on Escape, then clears on a second Escape', async () => {
    const { box } = await searchBox()
    await type(box, 'zor')
    const input = box.get('input')

    await input.trigger('keydown', { key: 'Escape' })
    expect(input.attributes('aria-expanded')).toBe('false')
    expect(input.attributes('aria-activedescendant')).toBeUndefined()
    expect((input.element as HTMLInputElement).value).toBe('zor')

    await input.trigger('keydown', { key: 'Escape' })
    expect((input.element as HTMLInputElement).value).toBe('')
  })

  it('searches for what was typed on Enter without a chosen option, starting fresh', async () => {
    const { box, router } = await searchBox('/search?q=old&condition=new')
    expect((box.get('input').element as HTMLInputElement).value).toBe('old')

    await type(box, ' camera ')
    await box.get('form').trigger('submit')
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/search?q=camera')
  })

  it('opens a clicked title suggestion as a search', async () => {
    const { box, router } = await searchBox()
    await type(box, 'zor')

    await box.findAll('[role="option"]')[0]?.trigger('click')
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/search?q=Zorblax+vintage+cameras+kit')
  })
})
