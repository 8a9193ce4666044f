"""order-service: orders, escrow state, disputes and feedback (PostgreSQL)."""
