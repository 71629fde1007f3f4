"""The project's tests; a package so that ``tests.support`` imports like any other module."""
