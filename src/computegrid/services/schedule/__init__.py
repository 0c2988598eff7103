"""Scheduling use cases: run a policy on a job set, and the best placement for one job."""
