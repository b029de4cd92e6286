"""Results kept current from running sums (issue 17): a recompute after a few ballots reads
those ballots only. state.py keeps the sums and the ballots' shares, source.py computes the
snapshot's matrices and votes from them, recompute.py chooses between that and the full
recompute from every ballot."""
