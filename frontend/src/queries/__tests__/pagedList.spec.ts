import { describe, expect, it } from 'vitest'

import { appendPage, firstPageMerge } from '../pagedList'

const item = (id: string, version = 1) => ({ id, version })

describe('appendPage', () => {
  it('adds the next page after the loaded items, without repeating one', () => {
    expect(
      appendPage({ items: [item('c'), item('b')], hasMore: true }, { data: [item('b'), item('a')], has_more: false }),
    ).toEqual({ items: [item('c'), item('b'), item('a')], hasMore: false })
  })
})

describe('firstPageMerge', () => {
  it('puts newer items on top and keeps the later pages where they were', () => {
    const loaded = { items: [item('c'), item('b'), item('a')], hasMore: true }

    expect(firstPageMerge(loaded, { data: [item('d'), item('c', 2)], has_more: true })).toEqual({
      items: [item('d'), item('c', 2), item('b'), item('a')],
      hasMore: true,
    })
  })

  it('takes the fresh page alone when everything fits in it', () => {
    const loaded = { items: [item('c'), item('b'), item('a')], hasMore: false }

    expect(firstPageMerge(loaded, { data: [item('c', 2), item('b')], has_more: false })).toEqual({
      items: [item('c', 2), item('b')],
      hasMore: false,
    })
  })

  it('takes the fresh page alone when it no longer lines up with the loaded pages', () => {
    const loaded = { items: [item('c'), item('b')], hasMore: true }

    expect(firstPageMerge(loaded, { data: [item('f'), item('e')], has_more: true })).toEqual({
      items: [item('f'), item('e')],
      hasMore: true,
    })
  })
})
