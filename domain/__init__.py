"""The business rules of Centavo: money, the ledger model and its use cases, with no I/O."""
