import { describe, expect, it } from 'vitest'

import { highlightParts, htmlEntitiesDecode } from '../highlight'

describe('highlightParts', () => {
  it('marks only the <mark> pieces and decodes the escaped text around them', () => {
    expect(highlightParts('Tom &amp; Jerry <mark>cameras</mark> &lt;b&gt;kit&lt;/b&gt; &#39;70s')).toEqual([
      { text: 'Tom & Jerry ', isMarked: false },
      { text: 'cameras', isMarked: true },
      { text: ' <b>kit</b> \'70s', isMarked: false },
    ])
  })

  it('shows any other tag as the characters it is, never as markup', () => {
    expect(highlightParts('<img src=x onerror=alert(1)><mark>a</mark>')).toEqual([
      { text: '<img src=x onerror=alert(1)>', isMarked: false },
      { text: 'a', isMarked: true },
    ])
  })

  it('falls back to the plain title when nothing was highlighted', () => {
    expect(highlightParts('', 'Plain & simple')).toEqual([{ text: 'Plain & simple', isMarked: false }])
    expect(highlightParts('', '')).toEqual([])
  })
})

describe('htmlEntitiesDecode', () => {
  it('decodes named, decimal and hex entities and leaves unknown ones alone', () => {
    expect(htmlEntitiesDecode('&quot;a&quot; &#x2F; &#47; &eacute; &#0;')).toBe('"a" / / &eacute; &#0;')
  })
})
