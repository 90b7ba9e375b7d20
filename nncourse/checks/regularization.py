"""Exercise checks for lesson regularization (being written)."""
