"""Reading results: what a snapshot was computed with and how that differs from today."""
