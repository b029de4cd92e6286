"""Paper ballots: the coordinator (or a data-entry assistant) types in an expert's paper form,
through the same services as the expert's own form, optionally twice by two people."""
