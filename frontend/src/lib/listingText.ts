/**
 * Words for listing codes the buyer pages show: conditions, formats and search sorts. Unknown
 * codes (a newer API) read as a plain "Other" rather than the code.
 */
import { t } from '@/i18n'

export function conditionLabel(condition: string | null): string {
  switch (condition) {
    case 'new':
      return t('listingText.conditionNew')
    case 'like_new':
      return t('listingText.conditionLikeNew')
    case 'very_good':
      return t('listingText.conditionVeryGood')
    case 'good':
      return t('listingText.conditionGood')
    case 'acceptable':
      return t('listingText.conditionAcceptable')
    case 'for_parts':
      return t('listingText.conditionForParts')
    case null:
    case '':
      return t('listingText.conditionNotStated')
    default:
      return t('listingText.other')
  }
}

export function formatLabel(format: string | null): string {
  switch (format) {
    case 'auction':
      return t('listingText.formatAuction')
    case 'fixed_price':
      return t('listingText.formatFixedPrice')
    default:
      return t('listingText.other')
  }
}

export function sortLabel(sort: string): string {
  switch (sort) {
    case 'ending_soonest':
      return t('listingText.sortEndingSoonest')
    case 'newly_listed':
      return t('listingText.sortNewlyListed')
    case 'price_shipping_lowest':
      return t('listingText.sortPriceShippingLowest')
    case 'price_shipping_highest':
      return t('listingText.sortPriceShippingHighest')
    case 'most_bids':
      return t('listingText.sortMostBids')
    default:
      return t('listingText.sortBestMatch')
  }
}
