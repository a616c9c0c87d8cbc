"""Helpers and stand-ins shared by the tests and the benchmarks; import them as ``tests.support.<module>``."""
