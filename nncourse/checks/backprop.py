"""Exercise checks for lesson backprop (being written)."""
