import { expect, test } from './fixtures'

/**
 * The platform end to end: every service is up on its own port with its real stores healthy,
 * and the gateway routes each public path of the design brief to the right service.
 */
const services = [
  { name: 'listing-service', port: 8001, path: '/api/v1/listings/', stores: ['memcached', 'postgres', 'redis'] },
  { name: 'auction-service', port: 8002, path: '/api/v1/auctions/', stores: ['postgres', 'redis'] },
  { name: 'wallet-service', port: 8003, path: '/api/v1/wallet/', stores: ['dogecoin', 'postgres', 'redis'] },
  { name: 'user-service', port: 8004, path: '/api/v1/user/', stores: ['postgres', 'redis'] },
  { name: 'order-service', port: 8005, path: '/api/v1/order/', stores: ['postgres', 'redis'] },
  { name: 'notification-service', port: 8010, path: '/api/v1/notifications/', stores: ['mongodb', 'redis'] },
  { name: 'search-gateway', port: 8011, path: '/api/v1/search', stores: ['elasticsearch', 'memcached', 'redis'] },
  { name: 'messaging-service', port: 8012, path: '/api/v1/messaging/', stores: ['mongodb', 'redis'] },
]

for (const service of services) {
  test(`${service.name} reports its real stores healthy on :${service.port}`, async ({ request }) => {
    const response = await request.get(`http://127.0.0.1:${service.port}/health`)
    expect(response.status()).toBe(200)
    const body = await response.json()
    expect(body.status).toBe('ok')
    expect(body.service).toBe(service.name)
    expect(Object.keys(body.checks).sort()).toEqual(service.stores)
    for (const store of service.stores) expect(body.checks[store].status).toBe('ok')
  })

  test(`gateway routes ${service.path} to ${service.name}`, async ({ request }) => {
    const response = await request.get(service.path)
    expect(response.status()).toBe(200)
    expect(response.headers()['content-type']).toContain('application/json')
    const body = await response.json()
    expect(body.service).toBe(service.name)
    const openapi = await request.get(body.openapi_url)
    expect(openapi.status()).toBe(200)
    expect((await openapi.json()).openapi).toMatch(/^3\./)
  })
}

test('gateway answers an unknown API path with the shared error shape', async ({ request }) => {
  const response = await request.get('/api/v1/no-such-service/')
  expect(response.status()).toBe(404)
  expect(await response.json()).toEqual({
    error: { type: 'not_found', code: 'route_not_found', message: 'No API route matches this path.' },
  })
})

test('gateway serves the web app for deep links', async ({ page }) => {
  const response = await page.goto('/wallet')
  expect(response?.status()).toBe(200)
  await expect(page).toHaveTitle(/dBay/)
})
