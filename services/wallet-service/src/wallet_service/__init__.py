"""wallet-service: the double-entry ledger, deposit addresses, deposits and withdrawals (PostgreSQL).

The only service that talks to the Dogecoin node; it holds no private key.
"""
