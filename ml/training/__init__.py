"""Training (TensorFlow/Keras, and Keras on JAX for the accelerator): data pipeline, networks, training runs,
export to LiteRT, calibration fitting, frame-geometry measurement. Serving never imports this package."""
