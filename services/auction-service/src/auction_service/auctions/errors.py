"""The refusals of bidding, in plain words (shared error shape: dbay_common.errors)."""

from __future__ import annotations

from dbay_common.errors import ApiError, Conflict, InvalidRequest, NotFound, PermissionDenied


def auction_not_found() -> ApiError:
    return NotFound("There is no auction for this listing.", code="auction_not_found")


def auction_not_open() -> ApiError:
    return Conflict("This auction has not started yet.", code="auction_not_open")


def auction_ended() -> ApiError:
    return Conflict("This auction has ended; bids are no longer taken.", code="auction_ended")


def own_auction() -> ApiError:
    return PermissionDenied("You cannot bid on your own auction.", code="own_auction")


def email_unverified() -> ApiError:
    return PermissionDenied("Please verify your email address before bidding.", code="email_unverified")


def member_suspended() -> ApiError:
    return PermissionDenied("Your account is suspended, so you cannot bid.", code="member_suspended")


def bidder_blocked() -> ApiError:
    return PermissionDenied("The seller does not accept bids from you.", code="bidder_blocked")


def bid_too_low(minimum_koinu: int, *, raise_own: bool = False) -> ApiError:
    from dbay_common.money import Koinu

    if raise_own:
        current = Koinu(minimum_koinu - 1).to_doge()
        text = f"You are already the highest bidder; a new maximum must be above {current} DOGE."
    else:
        text = f"Your maximum bid must be at least {Koinu(minimum_koinu).to_doge()} DOGE."
    return InvalidRequest(text, code="bid_too_low", param="max_amount_koinu")


def busy() -> ApiError:
    return Conflict("The auction changed while your bid was placed; please try again.", code="try_again")
