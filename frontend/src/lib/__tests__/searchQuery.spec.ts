import { describe, expect, it } from 'vitest'

import { routeQueryFromSearch, searchQueryFromRoute } from '../searchQuery'

describe('searchQueryFromRoute', () => {
  it('reads every filter the URL holds', () => {
    expect(
      searchQueryFromRoute({
        q: ' camera ',
        category: 'cameras-photo',
        condition: 'good,new,good',
        format: 'auction',
        price_min: '1.5',
        price_max: '20',
        buy_it_now: 'true',
        sort: 'most_bids',
      }),
    ).toEqual({
      q: 'camera',
      category: 'cameras-photo',
      condition: ['good', 'new'],
      format: 'auction',
      price_min: '1.5',
      price_max: '20',
      buy_it_now: true,
      sort: 'most_bids',
    })
  })

  it('leaves out values the API would refuse, and the default sort', () => {
    expect(
      searchQueryFromRoute({
        q: ['first', 'second'],
        category: 'Not A Slug!',
        condition: 'shiny',
        format: 'barter',
        price_min: '-1',
        price_max: '1,5',
        buy_it_now: 'yes',
        sort: 'best_match',
      }),
    ).toEqual({ q: 'first' })
  })
})

describe('routeQueryFromSearch', () => {
  it('writes a URL query that reads back to the same search', () => {
    const search = { q: 'camera', condition: ['like_new' as const, 'good' as const], price_max: '20', sort: 'newly_listed' as const }
    const query = routeQueryFromSearch(search)
    expect(query).toEqual({ q: 'camera', condition: 'like_new,good', price_max: '20', sort: 'newly_listed' })
    expect(searchQueryFromRoute(query as Record<string, string>)).toEqual(search)
  })
})
