"""Evaluation without TensorFlow: reading FER2013, metrics, labelled photo folders, ``python -m ml.evaluate``."""
