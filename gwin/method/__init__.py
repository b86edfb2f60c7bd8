"""The paper's method, in pipeline order (docs/design.md sections 2-4).

`train_classifier` (C, trained on the negative ELBO), `confident` (P_c: the training inputs C
labels correctly with certainty >= tau*), `train_gwin` (Algorithm 1, the WGWIN-GP trainer) with
`train_callbacks` (its progress bar, periodic validation, checkpoints, divergence check and
snapshots), `rejection` (the rule r(c, y') and the taus: every verdict on which inputs C
rejects), `evaluate` (per-input verdicts of C, of C(G(x, z)) and of the identity baseline) and
`trial_eval` (a trial's final evaluation and the trials row's summary of it).

`gwin.trial.run_trial` runs these stages in order; the plumbing they run on (the artifact cache,
the device, fault hooks, tracker pictures, model files) stays at the root of `gwin/`, and nothing
here imports it except `gwin.device`. Nothing is imported here: `gwin.config` and
`gwin.metrics` import `rejection`, which needs no torch.
"""
