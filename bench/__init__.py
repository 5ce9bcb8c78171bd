"""`make bench`: a large catalogue in its own database, and measured page latencies."""
