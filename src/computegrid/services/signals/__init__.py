"""Grid signals for scheduling: cached model signals, the live signal feed and the Carbon Aware SDK views."""
