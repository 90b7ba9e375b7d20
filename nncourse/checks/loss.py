"""Exercise checks for lesson loss (being written)."""
