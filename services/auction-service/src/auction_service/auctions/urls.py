"""Routes of auction-service's own endpoints, mounted under its API prefix by `auction_service.urls`."""

from django.urls import URLPattern, path

from auction_service.auctions import apis

app_name = "auctions"

urlpatterns: list[URLPattern] = [
    path("me/bids", apis.MyBidsApi.as_view(), name="my-bids"),
    path("<uuid:listing_id>", apis.AuctionDetailApi.as_view(), name="auction"),
    path("<uuid:listing_id>/bids", apis.BidListCreateApi.as_view(), name="bids"),
    path("<uuid:listing_id>/buy-it-now", apis.BuyItNowApi.as_view(), name="buy-it-now"),
    path("<uuid:listing_id>/bids/<uuid:bid_id>/retract", apis.BidRetractApi.as_view(), name="bid-retract"),
    path("<uuid:listing_id>/blocked-bidders", apis.BlockedBidderCreateApi.as_view(), name="blocked-bidders"),
    path(
        "<uuid:listing_id>/blocked-bidders/<uuid:user_id>",
        apis.BlockedBidderDeleteApi.as_view(),
        name="blocked-bidder",
    ),
]
