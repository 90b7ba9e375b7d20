"""Exercise checks for lesson gradient_descent (being written)."""
