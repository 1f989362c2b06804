"""Train an emotion network on FER2013: ``python -m ml.training.train --help``.

Checkpoints go to a folder outside the work tree (default ~/.cache/fer-train/<arch>) after every
epoch: ``last.keras`` (model and optimizer state), ``state.json`` (epochs done, best epoch),
``history.csv`` and ``best.weights.h5`` (the epoch with the best validation accuracy, which
``python -m ml.training.export`` turns into the served weights). ``--resume`` continues from ``last.keras``;
when that is gone it starts a new schedule from the committed weights in ml/weights/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ml import WEIGHTS_DIR
from ml.evaluation import fer2013, metrics
from ml.faces import to_model_input
from ml.training import data

HISTORY_FIELDS = ["epoch", "lr", "loss", "accuracy", "val_loss", "val_accuracy", "val_macro_f1", "seconds"]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ml.training.train", description=__doc__.split("\n")[0])
    p.add_argument("--data", help="FER2013 npz (default $FER_DATA or ../shared/data/fer2013.npz)")
    p.add_argument("--arch", default="reference", help="architecture name (ml.training.model.ARCHITECTURES)")
    p.add_argument(
        "--epochs",
        type=int,
        help="epochs in the learning-rate schedule (default 30, or the checkpoint's on --resume;"
        " a different number on --resume stretches the schedule from where it is)",
    )
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    p.add_argument(
        "--optimizer",
        choices=["adam", "sgd"],
        default="adam",
        help="adam, or sgd (Nesterov momentum 0.9), the usual choice for fine-tuning a converged network",
    )
    p.add_argument(
        "--lr-schedule",
        choices=["cosine", "constant"],
        default="cosine",
        help="cosine: linear warm-up, then cosine decay to 0 at the last epoch",
    )
    p.add_argument("--warmup-epochs", type=float, default=1.0)
    p.add_argument(
        "--class-weight-power",
        type=float,
        default=0.5,
        help="loss weight per class = (inverse frequency)^power; 0 turns it off",
    )
    p.add_argument(
        "--label-mix",
        type=float,
        default=0.7,
        help="target = mix x FER2013 label + (1 - mix) x FER+ vote shares (1 = FER2013 labels only)",
    )
    p.add_argument("--no-augment", action="store_true", help="train on the faces as they are")
    p.add_argument(
        "--teachers",
        nargs="+",
        default=[],
        help="exported networks (.tflite) to learn from: their mirror-averaged probabilities on the training"
        " faces, computed once, become part of every face's target (offline distillation)",
    )
    p.add_argument("--teacher-weights", nargs="+", type=float, help="one weight per teacher (default equal)")
    p.add_argument(
        "--teacher-mix",
        type=float,
        default=0.7,
        help="with --teachers: target = mix x the teachers' probabilities + (1 - mix) x the label targets",
    )
    p.add_argument(
        "--precision",
        choices=["float32", "mixed_bfloat16"],
        default="float32",
        help="mixed_bfloat16 computes in bfloat16 with float32 weights: about half the step time on CPUs"
        " with AVX-512 BF16 or AMX",
    )
    p.add_argument("--out", help="checkpoint folder (default ~/.cache/fer-train/<arch>)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--resume", action="store_true", help="continue from <out>/last.keras, else start from the committed weights"
    )
    p.add_argument(
        "--keep-epochs",
        action="store_true",
        help="also keep every epoch's weights in <out>/epochs/ (for python -m ml.training.average)",
    )
    p.add_argument("--init-weights", help="start from these weights (.npz, .weights.h5 or .keras)")
    p.add_argument("--limit", type=int, help="use only the first N training faces (smoke tests)")
    p.add_argument("--val-limit", type=int, help="use only the first N validation faces")
    args = p.parse_args(argv)
    if not 0.0 <= args.teacher_mix <= 1.0:
        p.error("--teacher-mix must lie between 0 and 1")
    return args


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def learning_rate(args: argparse.Namespace, steps_per_epoch: int) -> Any:
    """The schedule over optimizer steps (the optimizer's step count survives in checkpoints)."""
    import keras

    if args.lr_schedule != "cosine":
        return args.lr
    total = max(1, args.epochs * steps_per_epoch)
    warmup = int(args.warmup_epochs * steps_per_epoch)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=args.lr / 10 if warmup else args.lr,
        decay_steps=max(1, total - warmup),
        alpha=0.0,
        warmup_target=args.lr if warmup else None,
        warmup_steps=warmup,
    )


def progress_callback(steps: int, every: int = 25) -> Any:
    """Logs a line every ``every`` batches with the running loss and the epoch's time left (in a log
    file Keras' own progress bar is one line per epoch)."""
    import keras

    # Keras has no type information (see pyproject.toml), so its Callback base is Any.
    class Progress(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            self.t0, self.epoch = time.monotonic(), epoch

        def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
            done = batch + 1
            if done % every == 0 and done < steps:
                rate = (time.monotonic() - self.t0) / done
                assert logs is not None  # Keras passes the batch's metrics
                log(
                    f"epoch {self.epoch + 1} batch {done}/{steps} loss {logs['loss']:.4f} "
                    f"acc {logs['accuracy']:.4f} ({rate:.1f} s/batch, {rate * (steps - done) / 60:.0f} min left)"
                )

    return Progress()


def recalibrate_batchnorm(model: Any, faces: np.ndarray, seed: int, batches: int = 25, batch_size: int = 128) -> None:
    """Re-estimate every BatchNorm layer's moving mean and variance with dropout switched off.

    In the reference network each Dropout feeds the next block's BatchNorm. During training,
    dropout changes the variance that BatchNorm's moving statistics record, and at inference
    (no dropout) the network then sees different statistics from those it was normalised with:
    measured here after epoch 2, validation accuracy was 19.8% as trained and 41.2% after this
    recalibration. Training itself uses batch statistics, so this changes nothing it learns.
    """
    import keras
    import tensorflow as tf

    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    saved = [layer.rate for layer in dropouts], [layer.momentum for layer in norms]
    try:
        for layer in dropouts:
            layer.rate = 0.0
        for layer in norms:
            layer.momentum = 0.85  # 0.85^25 leaves under 2% of the old statistics
        forward = tf.function(lambda x: model(x, training=True))
        order = np.random.default_rng([seed, 7]).permutation(len(faces))[: batches * batch_size]
        for i in range(0, len(order), batch_size):
            forward(tf.constant(to_model_input(faces[np.sort(order[i : i + batch_size])])))
    finally:
        for layer, rate in zip(dropouts, saved[0]):
            layer.rate = rate
        for layer, momentum in zip(norms, saved[1]):
            layer.momentum = momentum


def optimizer(args: argparse.Namespace, steps_per_epoch: int) -> Any:
    import keras

    rate = learning_rate(args, steps_per_epoch)
    if args.optimizer == "sgd":
        return keras.optimizers.SGD(rate, momentum=0.9, nesterov=True)
    return keras.optimizers.Adam(rate)


def compile_model(model: Any, args: argparse.Namespace, steps_per_epoch: int) -> None:
    import keras

    # XLA (jit_compile) is slower than plain oneDNN kernels on this CPU.
    model.compile(
        optimizer=optimizer(args, steps_per_epoch),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=["accuracy"],
        jit_compile=False,
    )


def evaluate_keras(model: Any, x_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any]:
    """Validation loss, accuracy and macro-F1 of a Keras model on uint8 faces."""
    probs = model.predict(to_model_input(x_val), batch_size=256, verbose=0)
    rep = metrics.report(y_val, probs.argmax(axis=1))
    loss = float(-np.mean(np.log(np.clip(probs[np.arange(len(y_val)), y_val], 1e-7, 1.0))))
    return {"val_loss": loss, "val_accuracy": rep["accuracy"], "val_macro_f1": rep["macro_f1"], "report": rep}


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import keras

    from ml.training import model as models

    out = Path(args.out or Path.home() / ".cache" / "fer-train" / args.arch).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    x_train, y_train = fer2013.load_split(args.data, "train")
    x_val, y_val = fer2013.load_split(args.data, "val")
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    if args.val_limit:
        x_val, y_val = x_val[: args.val_limit], y_val[: args.val_limit]
    votes = fer2013.load_votes(args.data, "train")
    if args.limit and votes is not None:
        votes = votes[: args.limit]
    targets = data.soft_targets(y_train, votes, args.label_mix)
    if args.teachers:
        taught = data.teacher_probabilities(x_train, args.teachers, args.teacher_weights)
        targets = args.teacher_mix * taught + (1 - args.teacher_mix) * targets
        log(f"targets: {args.teacher_mix} x {len(args.teachers)} teacher(s), {1 - args.teacher_mix:.2f} x labels")
    weights = data.class_weights(y_train, args.class_weight_power)
    sample_weight = weights[y_train]
    steps = -(-len(x_train) // args.batch_size)
    log(
        f"{len(x_train)} training faces, {len(x_val)} validation; class weights "
        + ", ".join(f"{w:.2f}" for w in weights)
    )

    state_file, last_file = out / "state.json", out / "last.keras"
    state: dict[str, Any] = {"epochs_done": 0, "best_val_accuracy": -1.0, "best_epoch": None, "args": vars(args)}
    keras.utils.set_random_seed(args.seed)
    keras.mixed_precision.set_global_policy(args.precision)
    if args.resume and last_file.exists() and state_file.exists():
        state = json.loads(state_file.read_text())
        model = keras.models.load_model(last_file)
        log(f"resuming {last_file} after epoch {state['epochs_done']}")
        # The schedule lives in the checkpoint's optimizer. A new --epochs replaces it with one of
        # the new length, at the same step: training goes on at that schedule's learning rate.
        saved = state["args"]
        if args.epochs is None or args.epochs == saved["epochs"]:
            args.epochs = saved["epochs"]
        else:
            args.lr, args.lr_schedule, args.warmup_epochs = saved["lr"], saved["lr_schedule"], saved["warmup_epochs"]
            model.optimizer.learning_rate = learning_rate(args, steps)
            log(f"schedule stretched from {saved['epochs']} to {args.epochs} epochs")
    else:
        args.epochs = args.epochs or 30
        model = models.build(args.arch)
        init = args.init_weights
        committed = WEIGHTS_DIR / f"{args.arch}.npz"
        if not init and args.resume and committed.exists():
            init = committed
            log(f"no checkpoint in {out}: new schedule from the committed weights {committed}")
        if init:
            models.load_weights(model, init)
        compile_model(model, args, steps)
        if init:
            start = evaluate_keras(model, x_val, y_val)
            state["best_val_accuracy"] = start["val_accuracy"]
            log(f"initial weights: val accuracy {start['val_accuracy']:.4f}, macro-F1 {start['val_macro_f1']:.4f}")
        if (out / "history.csv").exists():
            (out / "history.csv").unlink()
    log(f"{args.arch}: {model.count_params():,} parameters; checkpoints in {out}")

    history = out / "history.csv"
    for epoch in range(state["epochs_done"], args.epochs):
        t0 = time.monotonic()
        ds = data.train_dataset(
            x_train, targets, sample_weight, args.batch_size, args.seed, epoch, augment=not args.no_augment
        )
        tty = sys.stderr.isatty()
        fit = model.fit(
            ds,
            epochs=epoch + 1,
            initial_epoch=epoch,
            verbose=1 if tty else 0,
            callbacks=[] if tty else [progress_callback(steps)],
        )
        recalibrate_batchnorm(model, x_train, seed=args.seed * 1000 + epoch)
        val = evaluate_keras(model, x_val, y_val)
        row = {
            "epoch": epoch + 1,
            "lr": float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)),
            "loss": fit.history["loss"][-1],
            "accuracy": fit.history["accuracy"][-1],
            "val_loss": val["val_loss"],
            "val_accuracy": val["val_accuracy"],
            "val_macro_f1": val["val_macro_f1"],
            "seconds": round(time.monotonic() - t0, 1),
        }
        new_file = not history.exists()
        with history.open("a", newline="") as f:
            w = csv.DictWriter(f, HISTORY_FIELDS)
            if new_file:
                w.writeheader()
            w.writerow(row)
        improved = val["val_accuracy"] > state["best_val_accuracy"]
        if improved:
            model.save_weights(out / "best.weights.tmp.weights.h5")
            os.replace(out / "best.weights.tmp.weights.h5", out / "best.weights.h5")
            atomic_write(out / "best.json", json.dumps({"epoch": epoch + 1, **row, "report": val["report"]}, indent=1))
            state.update(best_val_accuracy=val["val_accuracy"], best_epoch=epoch + 1)
        if args.keep_epochs:
            (out / "epochs").mkdir(exist_ok=True)
            model.save_weights(out / "epochs" / f"epoch-{epoch + 1:02d}.weights.h5")
        model.save(out / "last.tmp.keras")
        os.replace(out / "last.tmp.keras", last_file)
        state["epochs_done"] = epoch + 1
        state["args"] = {**vars(args)}
        atomic_write(state_file, json.dumps(state, indent=1))
        log(
            f"epoch {epoch + 1}/{args.epochs}: loss {row['loss']:.4f} acc {row['accuracy']:.4f} "
            f"val_acc {row['val_accuracy']:.4f} val_macro_f1 {row['val_macro_f1']:.4f} "
            f"lr {row['lr']:.2e} {row['seconds']:.0f}s{' (best)' if improved else ''}"
        )
    log(f"done: best val accuracy {state['best_val_accuracy']:.4f} at epoch {state['best_epoch']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
