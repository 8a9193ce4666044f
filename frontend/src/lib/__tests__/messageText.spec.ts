import { describe, expect, it } from 'vitest'

import { messagePieces } from '../messageText'

const ORIGIN = 'https://dbay.test'

describe('messagePieces', () => {
  it('keeps plain text as one piece, characters untouched', () => {
    expect(messagePieces('<b>hi</b> & <script>alert(1)</script>', ORIGIN)).toEqual([
      { kind: 'text', text: '<b>hi</b> & <script>alert(1)</script>' },
    ])
  })

  it('turns relative and same-origin listing links into listing pieces, with the text around them', () => {
    expect(messagePieces('See /listings/abc-123 or https://dbay.test/listings/XYZ9/, thanks', ORIGIN)).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'listing', text: '/listings/abc-123', listingId: 'abc-123' },
      { kind: 'text', text: ' or ' },
      { kind: 'listing', text: 'https://dbay.test/listings/XYZ9/', listingId: 'XYZ9' },
      { kind: 'text', text: ', thanks' },
    ])
  })

  it('leaves other sites, other paths and glued text as text', () => {
    for (const body of [
      'https://evil.test/listings/abc',
      'http://dbay.test/listings/abc',
      'https://dbay.test.evil.test/listings/abc',
      'https://dbay.test/sellers/bob',
      'x/listings/abc',
      '/listings/abc#photos',
      'javascript:alert(1)//listings/abc',
    ]) {
      expect(messagePieces(body, ORIGIN)).toEqual([{ kind: 'text', text: body }])
    }
  })
})
