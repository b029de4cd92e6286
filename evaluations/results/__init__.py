"""Results: computing a snapshot from the panel's ballots (panel, compute, matrices,
snapshots) and reading one back (what it was computed with, how that differs from today)."""
