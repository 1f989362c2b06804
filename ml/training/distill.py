"""Teachers and a distilled student, trained with Keras 3 on JAX: the accelerator's training loop.

``python -m ml.training.distill teacher --arch vgg --seed 1 --budget 280 --data PACK --out DIR``
``python -m ml.training.distill student --teachers DIR1 DIR2 DIR3 --budget 150 --data PACK --out DIR``

One model definition (``ml.training.model``) serves both backends: weights trained here on JAX load
into the same network under TensorFlow for the LiteRT export (``ml.training.export``). The data,
the augmentation (``ml.training.gpu_augment``) and every step stay on the device: a step is one
compiled program, from picking its batch to updating the weights. The optimiser is SGD with Nesterov momentum and
decoupled weight decay on the kernels, written out here in a few lines.

Runs are planned by time, not epochs: ``--budget`` seconds cover compilation and every epoch, and the
learning rate follows warm-up then cosine decay over whichever runs out first, the budget or
``--epochs``. So a run always ends its schedule, whatever the machine's speed, and reports how many
epochs it managed. The epoch with the best validation accuracy is kept (selection on validation;
the dev photos are never seen).

A student learns from the mean of the teachers' softened probabilities on the same augmented faces
(Hinton et al., 2015): loss = alpha * T^2 * KL(teachers_T || student_T) + (1 - alpha) * CE(targets).

Writes to ``--out``: ``weights.npz`` (float16, ``ml.training.model.load_compact``), ``run.json``
(arguments, epochs, best epoch, validation accuracy and macro-F1) and ``history.csv``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ml.evaluation import metrics

# JAX and Keras have no type information here: arrays, pytrees and models are Any.
Array = Any
HISTORY_FIELDS = ["epoch", "lr", "loss", "accuracy", "val_accuracy", "val_macro_f1", "seconds"]


@dataclass(frozen=True)
class Recipe:
    """How one network is trained (defaults: the teachers' recipe)."""

    arch: str = "vgg"
    seed: int = 1
    budget: float = 300.0  # seconds, compilation included
    epochs: int = 300  # at most (Khaireddin and Chen's VGG schedule); the budget usually ends a run first
    batch_size: int = 128
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    warmup: float = 0.03  # share of the schedule
    label_mix: float = 0.8  # FER2013 label vs FER+ vote shares (ml.training.data.soft_targets)
    class_weight_power: float = 0.3
    precision: str = "auto"  # mixed_bfloat16 on an accelerator, float32 on a CPU
    temperature: float = 2.0  # student only
    alpha: float = 0.9  # student only: weight of the teachers' soft targets
    teachers: tuple[str, ...] = field(default_factory=tuple)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def use_jax() -> None:
    """Select Keras' JAX backend; refuses when Keras is already loaded on another one."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    if "keras" in sys.modules:
        import keras

        if keras.backend.backend() != "jax":
            raise RuntimeError("Keras is already loaded with another backend: run this in its own process")


def schedule(progress: float, peak: float, warmup: float) -> float:
    """Learning rate at ``progress`` (0..1) of the run: linear warm-up, then cosine decay to 0."""
    if progress < warmup:
        return peak * (0.1 + 0.9 * progress / warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup) / (1 - warmup))))


def resolve_precision(precision: str) -> str:
    import jax

    if precision == "auto":
        return "float32" if jax.default_backend() == "cpu" else "mixed_bfloat16"
    return precision


class Network:
    """A Keras model driven statelessly: ``params`` (trainable) and ``state`` (BatchNorm statistics,
    dropout seeds) are plain JAX arrays passed in and out of compiled functions."""

    def __init__(self, arch: str, precision: str = "float32"):
        import keras

        from ml.training import model as models

        keras.mixed_precision.set_global_policy(precision)
        self.arch = arch
        self.model = models.build(arch)
        self.params = [v.value for v in self.model.trainable_variables]
        self.state = [v.value for v in self.model.non_trainable_variables]
        self.decay = [v.path.endswith("kernel") for v in self.model.trainable_variables]

    def apply(self, params: list[Array], state: list[Array], x: Array, training: bool) -> tuple[Array, list[Array]]:
        probs, state = self.model.stateless_call(params, state, x, training=training)
        return probs.astype("float32"), state

    def load(self, path: Path) -> None:
        from ml.training import model as models

        models.load_compact(self.model, path)
        self.params = [v.value for v in self.model.trainable_variables]
        self.state = [v.value for v in self.model.non_trainable_variables]

    def save(self, path: Path) -> None:
        from ml.training import model as models

        for var, value in zip(self.model.trainable_variables, self.params):
            var.assign(np.asarray(value))
        for var, value in zip(self.model.non_trainable_variables, self.state):
            var.assign(np.asarray(value))
        models.save_compact(self.model, path)


def predictor(net: Network, batch: int = 512) -> Callable[[np.ndarray], np.ndarray]:
    """uint8 (N,48,48) faces -> float32 (N,7) probabilities of ``net`` as it is now (inference mode)."""
    import jax
    import jax.numpy as jnp

    forward = jax.jit(lambda p, s, x: net.apply(p, s, x.astype(jnp.float32)[..., None] / 255.0, False)[0])

    def predict(faces: np.ndarray) -> np.ndarray:
        n = len(faces)
        padded = np.concatenate([faces, np.zeros((-n % batch, *faces.shape[1:]), faces.dtype)])
        parts = [
            forward(net.params, net.state, jnp.asarray(padded[i : i + batch])) for i in range(0, len(padded), batch)
        ]
        return np.asarray(jnp.concatenate(parts))[:n]

    return predict


def train(
    recipe: Recipe,
    x_train: np.ndarray,
    targets: np.ndarray,
    sample_weight: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    out: Path,
    teachers: Sequence[Network] = (),
) -> dict[str, Any]:
    """Train one network by ``recipe`` (distilled from ``teachers`` when given); writes ``out``."""
    use_jax()
    import jax
    import jax.numpy as jnp

    from ml.training.gpu_augment import augment

    t0 = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    precision = resolve_precision(recipe.precision)
    net = Network(recipe.arch, precision)
    log(f"{recipe.arch} seed {recipe.seed}: {net.model.count_params():,} parameters, {precision} on {jax.devices()[0]}")

    n = len(x_train)
    batch = min(recipe.batch_size, n)
    steps = n // batch
    x_all = jnp.asarray(x_train)
    t_all = jnp.asarray(targets, jnp.float32)
    w_all = jnp.asarray(sample_weight, jnp.float32)
    teacher_vars = [(t.params, t.state) for t in teachers]
    temperature, alpha = recipe.temperature, recipe.alpha

    def soften(probs: Array) -> Array:
        return jax.nn.softmax(jnp.log(jnp.clip(probs, 1e-7, 1.0)) / temperature)

    def loss_fn(params: list[Array], state: list[Array], x: Array, t: Array, w: Array) -> tuple[Array, Any]:
        probs, state = net.apply(params, state, x, True)
        log_p = jnp.log(jnp.clip(probs, 1e-7, 1.0))
        ce = -(t * log_p).sum(-1)
        loss = (ce * w).mean()
        if teacher_vars:
            # The teachers' mean softened distribution; log-probabilities serve as logits.
            soft = jnp.mean(
                jnp.stack([soften(tn.apply(tp, ts, x, False)[0]) for tn, (tp, ts) in zip(teachers, teacher_vars)]),
                axis=0,
            )
            student_t = jax.nn.log_softmax(log_p / temperature)
            kl = (soft * (jnp.log(jnp.clip(soft, 1e-7, 1.0)) - student_t)).sum(-1).mean()
            loss = alpha * temperature**2 * kl + (1 - alpha) * loss
        return loss, (state, probs)

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)

    def step(carry: tuple[Any, ...], order: Array, i: Array, key: Array, lr: Array) -> tuple[tuple[Any, ...], Array]:
        params, state, velocity = carry
        idx = order[i]
        x = augment(jax.random.fold_in(key, i + 1), x_all[idx].astype(jnp.float32)[..., None] / 255.0)
        (loss, (state, probs)), grads = grad_fn(params, state, x, t_all[idx], w_all[idx])
        new_params, new_velocity = [], []
        for p, g, v, decay in zip(params, grads, velocity, net.decay):
            v = recipe.momentum * v + g
            update = g + recipe.momentum * v  # Nesterov
            p = p - lr * update - (lr * recipe.weight_decay * p if decay else 0.0)
            new_params.append(p)
            new_velocity.append(v)
        right = (probs.argmax(-1) == t_all[idx].argmax(-1)).mean()
        return (new_params, state, new_velocity), jnp.stack([loss, right])

    # One compiled program per step, dispatched asynchronously (the device never waits for Python).
    # Not lax.scan over an epoch: on the CPU, XLA runs convolutions inside a loop body about 100
    # times slower (measured: 2 steps of the vgg teacher at batch 16 took 100 s in a scan, 1 s each
    # plain), and the CPU is where this code is tested.
    train_step = jax.jit(step)
    shuffle = jax.jit(lambda key: jax.random.permutation(key, n)[: steps * batch].reshape(steps, batch))

    def run_epoch(carry: tuple[Any, ...], key: Array, lr: Array) -> tuple[tuple[Any, ...], Array]:
        order = shuffle(jax.random.fold_in(key, 0))
        stats = []
        for i in range(steps):
            carry, s = train_step(carry, order, jnp.int32(i), key, lr)
            stats.append(s)
        return carry, jnp.stack(stats).mean(axis=0)

    predict = predictor(net)
    carry: tuple[Any, ...] = (net.params, net.state, [jnp.zeros_like(p) for p in net.params])
    key = jax.random.key(recipe.seed)
    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {"val_accuracy": -1.0}
    best_vars = (net.params, net.state)
    times: list[float] = []
    (out / "history.csv").unlink(missing_ok=True)
    for e in range(recipe.epochs):
        elapsed = time.monotonic() - t0
        per_epoch = float(np.median(times[-5:])) if times else 0.0
        if e and elapsed + per_epoch > recipe.budget:
            break
        # Progress by time or by epochs, whichever is further: the schedule ends with the run.
        progress = max((elapsed + per_epoch / 2) / recipe.budget, (e + 0.5) / recipe.epochs)
        lr = schedule(min(progress, 1.0), recipe.lr, recipe.warmup)
        start = time.monotonic()
        carry, stats = run_epoch(carry, jax.random.fold_in(key, e), jnp.float32(lr))
        net.params, net.state = carry[0], carry[1]
        probs = predict(x_val)
        rep = metrics.report(y_val, probs.argmax(axis=1))
        seconds = time.monotonic() - start
        if e:  # the first epoch includes compilation
            times.append(seconds)
        row = {
            "epoch": e + 1,
            "lr": lr,
            "loss": float(stats[0]),
            "accuracy": float(stats[1]),
            "val_accuracy": rep["accuracy"],
            "val_macro_f1": rep["macro_f1"],
            "seconds": round(seconds, 2),
        }
        history.append(row)
        with (out / "history.csv").open("a", newline="") as f:
            w = csv.DictWriter(f, HISTORY_FIELDS)
            if e == 0:
                w.writeheader()
            w.writerow(row)
        improved = rep["accuracy"] > best["val_accuracy"]
        if improved:
            best = {**row, "report": rep}
            best_vars = (net.params, net.state)  # immutable arrays: keeping them is enough
        log(
            f"{recipe.arch}/{recipe.seed} epoch {e + 1}: loss {row['loss']:.4f} acc {row['accuracy']:.4f} "
            f"val {rep['accuracy']:.4f} f1 {rep['macro_f1']:.4f} lr {lr:.4f} {seconds:.1f}s{' *' if improved else ''}"
        )
    net.params, net.state = best_vars
    net.save(out / "weights.npz")
    # The saved (float16) weights' probabilities on validation in float32 on this backend: the export
    # checks that TensorFlow computes the same function from them (ml.training.accelerator finish).
    reference = Network(recipe.arch, "float32")
    reference.load(out / "weights.npz")
    val_probs = predictor(reference)(x_val)
    summary = {
        "recipe": asdict(recipe),
        "precision": precision,
        "device": str(jax.devices()[0]),
        "parameters": int(net.model.count_params()),
        "epochs": len(history),
        "seconds": round(time.monotonic() - t0, 1),
        "best_epoch": best.get("epoch"),
        "val_accuracy": best["val_accuracy"],
        "val_macro_f1": best.get("val_macro_f1"),
        "report": best.get("report"),
        "val_probabilities": np.round(val_probs, 5).tolist(),
    }
    (out / "run.json").write_text(json.dumps(summary, indent=1) + "\n")
    log(
        f"{recipe.arch}/{recipe.seed}: best val {best['val_accuracy']:.4f}, epoch {best.get('epoch')} of {len(history)}"
    )
    return summary


def load_teacher(folder: Path, precision: str = "float32") -> Network:
    """A trained network from a folder ``train`` wrote (its ``run.json`` names the architecture)."""
    run = json.loads((folder / "run.json").read_text())
    net = Network(run["recipe"]["arch"], precision)
    net.load(folder / "weights.npz")
    return net


def ensemble_report(folders: Sequence[Path], x_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any]:
    """Validation accuracy and macro-F1 of the teachers' mean probabilities, with and without mirroring."""
    predictors = [predictor(load_teacher(f)) for f in folders]
    probs = [predict(x_val) for predict in predictors]
    mirrored = [predict(x_val[:, :, ::-1].copy()) for predict in predictors]
    plain = np.mean(probs, axis=0)
    both = (plain + np.mean(mirrored, axis=0)) / 2
    rep, rep_tta = metrics.report(y_val, plain.argmax(1)), metrics.report(y_val, both.argmax(1))
    return {
        "members": [str(f) for f in folders],
        "val_accuracy": rep["accuracy"],
        "val_macro_f1": rep["macro_f1"],
        "val_accuracy_mirrored": rep_tta["accuracy"],
        "val_macro_f1_mirrored": rep_tta["macro_f1"],
        "report": rep,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ml.training.distill", description=__doc__.split("\n")[0])
    p.add_argument("role", choices=["teacher", "student", "ensemble"])
    p.add_argument("--data", required=True, help="faces packed by `python -m ml.training.accelerator pack`")
    p.add_argument("--out", required=True)
    p.add_argument("--teachers", nargs="*", default=[], help="teacher folders (student, ensemble)")
    p.add_argument("--limit", type=int, help="use only the first N training faces (smoke tests)")
    p.add_argument("--val-limit", type=int, help="use only the first N validation faces (smoke tests)")
    defaults = Recipe()
    for name, value in asdict(defaults).items():
        if name == "teachers":
            continue
        p.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    use_jax()
    from ml.training import data
    from ml.training.accelerator import load_pack

    # The ensemble is scored on validation only: the training faces are not decoded for it.
    pack = load_pack(Path(args.data), ("val",) if args.role == "ensemble" else ("train", "val"))
    x_val, y_val = pack["x_val"][: args.val_limit], pack["y_val"][: args.val_limit]
    out = Path(args.out)
    teachers = [Path(t) for t in args.teachers]
    if args.role == "ensemble":
        out.mkdir(parents=True, exist_ok=True)
        rep = ensemble_report(teachers, x_val, y_val)
        (out / "ensemble.json").write_text(json.dumps(rep, indent=1) + "\n")
        log(f"ensemble of {len(teachers)}: val {rep['val_accuracy']:.4f} ({rep['val_accuracy_mirrored']:.4f} mirrored)")
        return 0
    x_train, y_train, votes = pack["x_train"], pack["y_train"], pack["votes_train"]
    if args.limit:
        x_train, y_train, votes = x_train[: args.limit], y_train[: args.limit], votes[: args.limit]
    fields = {k: getattr(args, k) for k in asdict(Recipe()) if k != "teachers"}
    recipe = Recipe(**fields, teachers=tuple(str(t) for t in teachers))
    if args.role == "student" and not teachers:
        raise SystemExit("a student needs --teachers")
    targets = data.soft_targets(y_train, votes, recipe.label_mix)
    weights = data.class_weights(y_train, recipe.class_weight_power)[y_train]
    nets = [load_teacher(t, resolve_precision(recipe.precision)) for t in teachers] if args.role == "student" else []
    train(recipe, x_train, targets, weights, x_val, y_val, out, nets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
