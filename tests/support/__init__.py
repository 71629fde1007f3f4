"""What the tests share that is not a fixture: test worlds (seeded CRMs), stand-in graphs and
services, apps served over HTTP, and throw-away PostgreSQL databases. Fixtures stay in the
``conftest.py`` files; they build on these."""
