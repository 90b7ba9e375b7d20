"""Exercise checks for lesson activations (being written)."""
