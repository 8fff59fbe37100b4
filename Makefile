# The two quick-start commands (`make demo`, `make test`) and `make build`.
# Everything is built against Debian's /usr/bin/python3, never a pyenv or venv python on PATH.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
PYTHON := /usr/bin/python3
JOBS ?= $(shell nproc)
PORT ?= 8000

.PHONY: all deps configure build build-all demo test unit e2e format clean

all: build

deps:
	@./scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPython3_EXECUTABLE=$(PYTHON) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) --target greenfork -j $(JOBS)

build-all: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@echo "Serving examples/hello.py on http://127.0.0.1:$(PORT) with 2 workers (Ctrl-C to stop)"
	$(BUILD_DIR)/greenfork --chdir examples -w 2 -b 127.0.0.1:$(PORT) hello:application

unit: build-all
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The end-to-end tests drive real processes and signals on a shared 2-core machine; a failure
# is re-run once on its own so that a timing hiccup under load is told apart from a real bug
# (which fails both times).
E2E = GREENFORK_BIN=$(abspath $(BUILD_DIR))/greenfork $(PYTHON) -m pytest -q \
	-o cache_dir=$(abspath $(BUILD_DIR))/pytest-cache tests/e2e

e2e: build
	@$(E2E) || { echo "Re-running the failed end-to-end tests once:"; $(E2E) --last-failed; }

test: unit e2e

format:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp')

clean:
	rm -rf $(BUILD_DIR)
