"""Studies kept for the record: each one measured a choice the model card reports (run from the
repository root as ``python -m ml.experiments.<name>``). Not imported by serving, training or the platform."""
