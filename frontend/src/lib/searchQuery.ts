/**
 * The search pages keep their whole state in the URL (`/search?q=camera&condition=new,good&sort=
 * most_bids`): a filter is a router.push of a new query, the page reads the search from the
 * route, so a link is shareable and the back button undoes the last filter.
 */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

import {
  SEARCH_CONDITIONS,
  SEARCH_FORMATS,
  SEARCH_SORTS,
  type ListingSearchQuery,
  type SearchCondition,
  type SearchFormat,
  type SearchSort,
} from '@/api/search'

const DOGE_AMOUNT = /^[0-9]{1,11}(\.[0-9]{1,8})?$/
const CATEGORY_ID = /^[a-z0-9][a-z0-9._-]{0,199}$/

function firstValue(value: LocationQuery[string] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value
  return (first ?? '').trim()
}

/** The search a URL asks for; values the API would refuse are left out rather than sent. */
export function searchQueryFromRoute(query: LocationQuery): ListingSearchQuery {
  const search: ListingSearchQuery = {}
  const q = firstValue(query.q).slice(0, 200)
  if (q !== '') search.q = q
  const category = firstValue(query.category)
  if (CATEGORY_ID.test(category)) search.category = category
  const conditions = firstValue(query.condition)
    .split(',')
    .filter((value): value is SearchCondition => (SEARCH_CONDITIONS as readonly string[]).includes(value))
  if (conditions.length > 0) search.condition = [...new Set(conditions)]
  const format = firstValue(query.format)
  if ((SEARCH_FORMATS as readonly string[]).includes(format)) search.format = format as SearchFormat
  const priceMin = firstValue(query.price_min)
  if (DOGE_AMOUNT.test(priceMin)) search.price_min = priceMin
  const priceMax = firstValue(query.price_max)
  if (DOGE_AMOUNT.test(priceMax)) search.price_max = priceMax
  if (firstValue(query.buy_it_now) === 'true') search.buy_it_now = true
  const sort = firstValue(query.sort)
  if ((SEARCH_SORTS as readonly string[]).includes(sort) && sort !== 'best_match') search.sort = sort as SearchSort
  return search
}

/** The URL query of a search (empty values left out; `best_match`, the default sort, too). */
export function routeQueryFromSearch(search: ListingSearchQuery): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (search.q !== undefined && search.q !== '') query.q = search.q
  if (search.category !== undefined) query.category = search.category
  if (search.condition !== undefined && search.condition.length > 0) query.condition = search.condition.join(',')
  if (search.format !== undefined) query.format = search.format
  if (search.price_min !== undefined && search.price_min !== '') query.price_min = search.price_min
  if (search.price_max !== undefined && search.price_max !== '') query.price_max = search.price_max
  if (search.buy_it_now === true) query.buy_it_now = 'true'
  if (search.sort !== undefined && search.sort !== 'best_match') query.sort = search.sort
  return query
}

export function isDogeAmountText(text: string): boolean {
  return DOGE_AMOUNT.test(text)
}
