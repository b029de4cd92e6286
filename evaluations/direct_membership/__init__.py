"""Direct membership of leaf indicators (issue 15 §2): a leaf's membership row given by the
coordinator or derived from a measured value per subject, instead of the experts' votes.
Services, the coordinator's page and the API live here; the mapping is
evaluations.engine.measured, and the results read the inputs in evaluations.results.direct."""
