# Silent Signals. `make pipeline` and `make test` do all set-up themselves (idempotent).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
MODEL := models/cache/multilingual-e5-small-onnx/BUILD_OK.json
DATE ?= $(shell date +%F)
INPUT ?= data/sample
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1

SHARED ?= ../shared/data
.PHONY: setup system-deps pipeline test test-fast sample clean bench eval

setup: $(STAMP) $(MODEL)

# Debian packages: the Finnish lemmatiser (Voikko) is required; headless Chromium is only for the
# report's browser tests (they skip without it), so failing to install it warns instead of stopping.
system-deps:
	@if dpkg -s libvoikko1 voikko-fi >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing libvoikko1 voikko-fi (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvoikko1 voikko-fi >/dev/null; \
	else \
		echo "error: Debian packages libvoikko1 and voikko-fi are needed for Finnish lemmas."; \
		echo "       run: sudo apt-get install libvoikko1 voikko-fi chromium   (then make setup again)"; exit 1; \
	fi
	@if dpkg -s chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium (apt-get) for the report's browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
		echo "warning: could not install chromium; the browser tests will be skipped"; \
	else \
		echo "warning: Debian package chromium is missing (sudo apt-get install chromium); the browser tests will be skipped"; \
	fi

# torch first and pinned: the CPU wheel on this machine; any other spec pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

$(MODEL): $(STAMP)
	$(PY) -m signals.cli build-model

pipeline: setup
	$(PY) -m signals.cli run --input $(INPUT) --date $(DATE)

bench: setup
	$(PY) -m pipelines.bench

# Every evaluation on the dev sets in ../shared/data (each command ends with one JSON line).
eval: setup
	$(PY) -m signals.cli eval langid --data $(SHARED)/langid/tatoeba_fi_en_et_sv.csv
	$(PY) -m signals.cli eval topics --quiet --data $(SHARED)/topics/banking77_train.csv
	$(PY) -m signals.cli eval topics --quiet --data $(SHARED)/topics/sib200_fi_en.csv
	$(PY) -m signals.cli eval topics --quiet --data $(SHARED)/topics/nlupp_banking.csv
	$(PY) -m signals.cli eval topics --quiet --data $(SHARED)/topics/nlupp_hotels.csv
	$(PY) -m signals.cli eval stability --input data/sample
	for f in data/cues/cue_blind_test*.csv; do $(PY) -m signals.cli eval cues --data $$f || exit 1; done
	$(PY) -m signals.cli eval emotion --quiet --data $(SHARED)/emotion/xed.csv
	$(PY) -m signals.cli eval sentiment --quiet --data $(SHARED)/sentiment/tweeteval_val.csv
	$(PY) -m signals.cli eval fact-feeling --quiet --data $(SHARED)/emotion/xed.csv

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

sample: $(STAMP)
	$(PY) -m signals.cli sample --out data/sample

clean:
	rm -rf data/warehouse reports
