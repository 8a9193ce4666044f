"""Routes of listing-service's own endpoints, mounted under its API prefix by `listing_service.urls`."""

from django.urls import URLPattern, path

from listing_service.listings.apis import internal, listings, lists

app_name = "listings"

urlpatterns: list[URLPattern] = [
    path("categories", lists.CategoriesApi.as_view(), name="categories"),
    path("fees", lists.FeesApi.as_view(), name="fees"),
    path("feed", lists.FeedApi.as_view(), name="feed"),
    path("drafts", listings.ListingCreateApi.as_view(), name="listing-create"),
    path("mine", lists.MyListingsApi.as_view(), name="listings-mine"),
    path("watchlist", lists.WatchlistApi.as_view(), name="watchlist"),
    path("sellers/<uuid:seller_id>", lists.SellerListingsApi.as_view(), name="seller-listings"),
    path("<uuid:listing_id>", listings.ListingApi.as_view(), name="listing"),
    path("<uuid:listing_id>/publish", listings.ListingPublishApi.as_view(), name="listing-publish"),
    path("<uuid:listing_id>/end", listings.ListingEndApi.as_view(), name="listing-end"),
    path("<uuid:listing_id>/cancel", listings.ListingCancelApi.as_view(), name="listing-cancel"),
    path("<uuid:listing_id>/withdraw", listings.ListingWithdrawApi.as_view(), name="listing-withdraw"),
    path("<uuid:listing_id>/watch", lists.WatchApi.as_view(), name="listing-watch"),
    path(
        "internal/listings/<uuid:listing_id>/auction-terms",
        internal.AuctionTermsApi.as_view(),
        name="internal-auction-terms",
    ),
]
