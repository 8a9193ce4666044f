"""auction-service: auctions and bids (PostgreSQL) and live auction state and pub/sub (Redis)."""
