"""Planning under uncertainty: two-stage plans with recourse over the scenarios of a
``stochastic`` key (:mod:`.plan`), their deterministic equivalent (:mod:`.equivalent`) and their
results folder (:mod:`.result`)."""
