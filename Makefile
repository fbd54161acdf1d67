# The two commands of the README (CONTRACT §5) and the few steps behind them.
# Every target creates .venv from requirements.lock first if it is missing or stale.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)

.PHONY: venv demo test gradescope-check release bench gpu-check lock clean

venv: $(STAMP)

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)   ## the whole course cycle in a scratch folder (build/demo), ending in a table of scores
	$(BIN)/python -m autograder demo

test: $(STAMP)   ## the test suite (what .ci/run calls)
	$(BIN)/python -m pytest

gradescope-check: $(STAMP)   ## Gradescope simulated without Docker: the zip's setup.sh into a scratch /autograder and a fresh venv, then run_autograder on a few submissions
	KIT_GRADESCOPE_CHECK=1 $(BIN)/python -m pytest tests/test_gradescope.py -k simulated -q -s

release: $(STAMP)   ## rebuild source/ from authoring/, then assignments/ and solutions/ through nbgrader
	$(BIN)/python -m autograder release

bench: $(STAMP)   ## grade a synthetic class with the kit and with stock nbgrader autograde
	$(BIN)/python -m autograder bench

gpu-check:   ## on a CUDA machine: the CUDA tests and CUDA grading of the corpus (scripts/gpu-check.sh; python3 there)
	bash scripts/gpu-check.sh

lock:   ## re-pin requirements.lock from pyproject.toml's direct dependencies (needs the network)
	rm -rf build/lockenv && $(PYTHON) -m venv build/lockenv
	build/lockenv/bin/python -m pip install --quiet torch==2.13.0 $$($(PYTHON) -c "import tomllib;print(' '.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))")
	{ sed -n '1,2p' requirements.lock; build/lockenv/bin/python -m pip freeze | sed 's/+cpu//'; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf build $(VENV)
