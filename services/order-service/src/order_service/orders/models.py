"""Orders models. The domain models arrive with the issues that introduce them."""
