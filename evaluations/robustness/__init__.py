"""Robustness of an evaluation's results (issue 14; DESIGN §2.9), around the engine's
`evaluations.engine.robustness`:
- flips: the flip points at every node of a result, computed with every results snapshot;
- analysis: the simulations, expert agreement and leave-one-out, computed by a separate task
  on the analysis queue after each snapshot and stored with its version;
- the Robustness tab's selectors, charts and views, and the what-if data of the results page.
"""
