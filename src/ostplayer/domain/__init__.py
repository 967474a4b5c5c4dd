"""Plain dataclasses and pure functions in the product's own words; stdlib only."""
