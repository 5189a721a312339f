"""Train the Rasa model only when its inputs changed, keyed by a fingerprint of those inputs.

The fingerprint covers everything that shapes the model: config, domain, training data, the jieba
dictionaries, our tokenizer's code and the pinned requirements. A model is stored as
`models/<fingerprint>.tar.gz`; a copy also goes to a cache outside the checkout
(`$ZS_MODEL_CACHE`, default `~/.cache/zhoushan-assistant/models`) so a fresh clone on the same
machine, such as CI, reuses it instead of training again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings

MODEL_INPUTS = (
    "config.yml",
    "domain.yml",
    "data",
    "knowledge/dictionary",
    "bot/nlu",
    "requirements.txt",
)


def _input_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in MODEL_INPUTS:
        path = root / name
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
            )
        elif path.is_file():
            files.append(path)
    return files


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in _input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "zhoushan-assistant" / "models"
    return Path(os.environ.get("ZS_MODEL_CACHE", str(default)))


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"{fingerprint(root)}.tar.gz"


def ensure_model(root: Path = PROJECT_ROOT, force: bool = False) -> Path:
    """Path of a model trained on the current inputs, training one if none is stored."""
    target = model_path(root)
    cached = cache_dir() / target.name
    if not force and target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if not force and cached.exists():
        shutil.copy2(cached, target)
        print(f"模型未变化，使用缓存 {cached}", file=sys.stderr)
        return target
    started = time.monotonic()
    log = root / "models" / "train.log"
    print(f"训练模型（输入已变化），日志：{log}", file=sys.stderr)
    with open(log, "wb") as output:
        finished = subprocess.run(
            [
                str(Path(sys.executable).parent / "rasa"),
                "train",
                "--config", "config.yml",
                "--domain", "domain.yml",
                "--data", "data",
                "--out", "models",
                "--fixed-model-name", target.name[: -len(".tar.gz")],
            ],
            cwd=root,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    if finished.returncode != 0:
        sys.stderr.write(log.read_text(errors="replace")[-4000:])
        raise RuntimeError(f"rasa train failed ({finished.returncode}); see {log}")
    elapsed = time.monotonic() - started
    print(f"训练完成，用时 {elapsed:.0f} 秒：{target}", file=sys.stderr)
    (root / "models" / "last_training_seconds.txt").write_text(f"{elapsed:.1f}\n")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, cached)
    except OSError:
        pass
    return target


def evaluate_nlu(test_file: Path, model: Path, out_dir: Path) -> dict:
    """Intent scores of `model` on a held-out file, from `rasa test nlu` (never trained on)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "test", "nlu",
            "--nlu", str(test_file),
            "--model", str(model),
            "--out", str(out_dir),
        ],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    report = json.loads((out_dir / "intent_report.json").read_text())
    errors_file = out_dir / "intent_errors.json"
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    per_intent = {
        name: round(values["f1-score"], 3)
        for name, values in report.items()
        if isinstance(values, dict) and name not in ("macro avg", "weighted avg", "micro avg")
    }
    return {
        "examples": report["macro avg"]["support"],
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "per_intent_f1": per_intent,
        "errors": [
            {
                "text": e["text"],
                "expected": e["intent"],
                "predicted": e["intent_prediction"]["name"],
                "confidence": round(e["intent_prediction"]["confidence"], 2),
            }
            for e in errors
        ],
    }


def _eval_nlu(args: argparse.Namespace, settings: Settings) -> int:
    result = evaluate_nlu(Path(args.file), ensure_model(), settings.var_dir / "nlu-eval")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"样本 {result['examples']}  准确率 {result['accuracy']:.3f}  宏平均F1 {result['macro_f1']:.3f}")
    for name, f1 in sorted(result["per_intent_f1"].items(), key=lambda item: item[1]):
        print(f"  {name:16s} {f1:.3f}")
    for error in result["errors"]:
        print(f"  ✗ {error['expected']} → {error['predicted']} ({error['confidence']}): {error['text']}")
    return 0


def _train(args: argparse.Namespace, settings: Settings) -> int:
    print(ensure_model(force=args.force))
    return 0


def _path(args: argparse.Namespace, settings: Settings) -> int:
    print(model_path())
    return 0


def register(commands) -> None:
    model = commands.top.add_parser("model", help="the trained Rasa model")
    sub = model.add_subparsers(dest="model_command", metavar="ACTION")
    sub.required = True
    train = sub.add_parser("train", help="train if the inputs changed; print the model path")
    train.add_argument("--force", action="store_true", help="train even if a model exists")
    train.set_defaults(handler=_train)
    sub.add_parser("path", help="where the model for the current inputs lives").set_defaults(
        handler=_path
    )
    nlu = commands.eval.add_parser("nlu", help="intent scores on a held-out NLU file")
    nlu.add_argument("file", nargs="?", default=str(PROJECT_ROOT / "tests/data/nlu_holdout.yml"))
    nlu.add_argument("--json", action="store_true")
    nlu.set_defaults(handler=_eval_nlu)
