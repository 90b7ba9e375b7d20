"""Exercise checks for lesson forward_pass (being written)."""
