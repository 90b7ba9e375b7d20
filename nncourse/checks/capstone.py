"""Exercise checks for lesson capstone (being written)."""
