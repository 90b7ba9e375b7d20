"""Exercise checks for lesson linear_algebra (being written)."""
