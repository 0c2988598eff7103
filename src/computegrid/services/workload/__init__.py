"""Use cases of AI energy accounting: estimates and claim checks."""
