"""Live checks: providers' published documents and DNS, fetched, judged and reported."""
