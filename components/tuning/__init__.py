"""Parallelism and capacity derived from the workload a stack declares (pure)."""
