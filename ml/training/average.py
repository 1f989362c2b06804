"""Average the weights of several epochs of one training run into one network of the same shape.

``python -m ml.training.average EPOCH_WEIGHTS... --out FILE.weights.h5`` reads checkpoints of the same
architecture (``.weights.h5``, ``.keras`` or ``.npz``; ``ml.training.train --keep-epochs`` keeps one per
epoch), takes the mean of every trainable weight, re-estimates BatchNorm's statistics for the mean
network (``ml.training.train.recalibrate_batchnorm``), and prints its validation accuracy and macro-F1 beside
each input's. The result serves at the cost of one network: only its weights differ.

Why it helps: near the end of a decaying learning-rate schedule, successive epochs sit at
different points around the same wide minimum; their mean tends to lie nearer its centre and to
generalise a little better than any one of them (stochastic weight averaging, Izmailov et al.,
2018). Whether it does here is measured on validation, never assumed: export the average only
if it beats the best single epoch there.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ml.evaluation import fer2013
from ml.training.train import evaluate_keras, log, recalibrate_batchnorm


def average_weights(models_weights: list[list[np.ndarray]]) -> list[np.ndarray]:
    """Element-wise mean of several networks' weight lists (same shapes, same order)."""
    if not models_weights:
        raise ValueError("no weights to average")
    shapes = [[w.shape for w in weights] for weights in models_weights]
    if any(s != shapes[0] for s in shapes):
        raise ValueError("the checkpoints do not share one architecture")
    return [np.mean(np.stack(group), axis=0, dtype=np.float64).astype(group[0].dtype) for group in zip(*models_weights)]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.training.average", description=__doc__.split("\n")[0])
    p.add_argument("weights", nargs="+", help="checkpoints of one architecture (.weights.h5, .keras, .npz)")
    p.add_argument("--out", required=True, help="where to write the averaged weights (.weights.h5)")
    p.add_argument("--arch", default="reference")
    p.add_argument("--data", help="FER2013 npz (default $FER_DATA or ../shared/data/fer2013.npz)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--val-limit", type=int, help="use only the first N validation faces")
    args = p.parse_args(argv)
    if not args.out.endswith(".weights.h5"):
        p.error("--out must end in .weights.h5 (Keras's weights format)")

    from ml.training import model as models

    x_train, _ = fer2013.load_split(args.data, "train")
    x_val, y_val = fer2013.load_split(args.data, "val")
    if args.val_limit:
        x_val, y_val = x_val[: args.val_limit], y_val[: args.val_limit]
    net = models.build(args.arch)
    collected, inputs = [], []
    for path in args.weights:
        models.load_weights(net, path)
        collected.append(net.get_weights())
        val = evaluate_keras(net, x_val, y_val)
        inputs.append({"weights": str(path), "val_accuracy": val["val_accuracy"], "val_macro_f1": val["val_macro_f1"]})
        log(f"{path}: val accuracy {val['val_accuracy']:.4f}, macro-F1 {val['val_macro_f1']:.4f}")
    net.set_weights(average_weights(collected))
    # The mean of each input's moving statistics does not describe the mean network's activations.
    recalibrate_batchnorm(net, x_train, seed=args.seed)
    val = evaluate_keras(net, x_val, y_val)
    log(f"average of {len(collected)}: val accuracy {val['val_accuracy']:.4f}, macro-F1 {val['val_macro_f1']:.4f}")
    Path(args.out).expanduser().parent.mkdir(parents=True, exist_ok=True)
    net.save_weights(Path(args.out).expanduser())
    scores = {"val_accuracy": val["val_accuracy"], "val_macro_f1": val["val_macro_f1"]}
    print(json.dumps({"out": args.out, "inputs": inputs, **scores}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
