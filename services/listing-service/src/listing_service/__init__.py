"""listing-service: listings, categories and photos (PostgreSQL) and the listing read cache (Memcached)."""
