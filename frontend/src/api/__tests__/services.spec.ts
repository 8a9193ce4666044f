import { describe, expect, it } from 'vitest'

import { AUCTIONS_BASE_PATH } from '../auctions'
import { LISTINGS_BASE_PATH } from '../listings'
import { MESSAGING_BASE_PATH } from '../messaging'
import { NOTIFICATIONS_BASE_PATH } from '../notifications'
import { ORDERS_BASE_PATH } from '../orders'
import { SEARCH_BASE_PATH } from '../search'
import { USER_BASE_PATH } from '../user'
import { WALLET_BASE_PATH } from '../wallet'

describe('service base paths', () => {
  it('match the public paths the gateway routes', () => {
    expect({
      listings: LISTINGS_BASE_PATH,
      auctions: AUCTIONS_BASE_PATH,
      wallet: WALLET_BASE_PATH,
      user: USER_BASE_PATH,
      orders: ORDERS_BASE_PATH,
      notifications: NOTIFICATIONS_BASE_PATH,
      search: SEARCH_BASE_PATH,
      messaging: MESSAGING_BASE_PATH,
    }).toEqual({
      listings: '/api/v1/listings/',
      auctions: '/api/v1/auctions/',
      wallet: '/api/v1/wallet/',
      user: '/api/v1/user/',
      orders: '/api/v1/order/',
      notifications: '/api/v1/notifications/',
      search: '/api/v1/search',
      messaging: '/api/v1/messaging/',
    })
  })
})
