# The two commands of the README (CONTRACT §5) and the few steps behind them.
# Every target creates .venv from requirements.lock first if it is missing or stale.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)

.PHONY: venv demo test mutation gradescope-check release student-release bench gpu-check lock clean hub hub-deps hub-stop hub-test

venv: $(STAMP)

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)   ## the whole course cycle in a scratch folder (build/demo), ending in a table of scores
	$(BIN)/python -m autograder demo

test: $(STAMP)   ## the test suite (what .ci/run calls)
	$(BIN)/python -m pytest

# The mutants are tested against a fast in-process subset of tests/ (scripts/mutation.py's TESTS), in
# build/mutation/; the functions that only run in another process (the batch's pool, the sandbox's
# own processes) are out of its scope: scripts/mutation.py's SCOPE says which and where they are tested.
mutation: $(STAMP)   ## mutation testing of the grading core: every surviving mutant with its reason, the kill rate per module (README: Mutation testing)
	$(BIN)/python scripts/mutation.py

gradescope-check: $(STAMP)   ## Gradescope simulated without Docker: the zip's setup.sh into a scratch /autograder and a fresh venv, then run_autograder on a few submissions
	KIT_GRADESCOPE_CHECK=1 $(BIN)/python -m pytest tests/test_gradescope.py -k simulated -q -s

release: $(STAMP)   ## rebuild source/ from authoring/, then assignments/ and solutions/ through nbgrader
	$(BIN)/python -m autograder release

student-release: $(STAMP)   ## what students get without an exchange: both released editions, their pins, a README (build/embedding-student-release/ and .zip)
	$(BIN)/python -m autograder student-release

bench: $(STAMP)   ## grade a synthetic class with the kit and with stock nbgrader autograde
	$(BIN)/python -m autograder bench

HUB := build/hub
# The hub's users run build/hub/venv, made from a copy of .venv's interpreter (pyenv's, under /root,
# which they cannot enter; Debian's Python 3.11.2 is too old for the pins); its libpython is found
# through LD_LIBRARY_PATH.
$(HUB)/venv/.installed: requirements.lock $(STAMP)
	test -x $(HUB)/python/bin/python3 || $(BIN)/python hub/hub.py copy-python
	test -x $(HUB)/venv/bin/python || LD_LIBRARY_PATH=$(CURDIR)/$(HUB)/python/lib $(HUB)/python/bin/python3 -m venv $(HUB)/venv
	LD_LIBRARY_PATH=$(CURDIR)/$(HUB)/python/lib $(HUB)/venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(HUB)/node_modules/.installed: hub/package.json hub/package-lock.json   # configurable-http-proxy, pinned
	mkdir -p $(HUB) && cp hub/package.json hub/package-lock.json $(HUB)/
	cd $(HUB) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

hub-deps: $(HUB)/venv/.installed $(HUB)/node_modules/.installed   ## what make hub and tests/test_hub.py need (.ci/run makes it)

hub: $(STAMP) $(HUB)/venv/.installed $(HUB)/node_modules/.installed   ## JupyterHub for the course on 127.0.0.1:8000 (as root: makes local users)
	$(BIN)/python hub/hub.py start

hub-stop:   ## stop the hub, its proxy and every server it started
	$(BIN)/python hub/hub.py stop

hub-test: $(STAMP) $(HUB)/venv/.installed $(HUB)/node_modules/.installed   ## the hub end to end: REST, then Chromium (screenshots in build/hub/screenshots)
	$(BIN)/python -m pytest tests/test_hub.py -v

gpu-check:   ## on a CUDA machine: the CUDA tests and CUDA grading of the corpus (scripts/gpu-check.sh; python3 there)
	bash scripts/gpu-check.sh

lock:   ## re-pin requirements.lock from pyproject.toml's direct dependencies (needs the network)
	rm -rf build/lockenv && $(PYTHON) -m venv build/lockenv
	build/lockenv/bin/python -m pip install --quiet torch==2.13.0 $$($(PYTHON) -c "import tomllib;print(' '.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))")
	{ sed -n '1,2p' requirements.lock; build/lockenv/bin/python -m pip freeze | sed 's/+cpu//'; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf build $(VENV)
