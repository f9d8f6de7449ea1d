"""Test harness shared by the end-to-end tests, the demo and the benchmark:
a test CA, Knot DNS on loopback, and the provider emulators."""
