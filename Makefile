# The two quick-start commands (`make demo`, `make test`) and `make build`.
# Everything is built against Debian's /usr/bin/python3, never a pyenv or venv python on PATH.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
PYTHON := /usr/bin/python3
JOBS ?= $(shell nproc)
PORT ?= 8000

.PHONY: all deps configure build build-all demo test unit e2e sanitize fuzz fuzz-build fuzz-ci \
	microbench format clean

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

test: unit e2e sanitize fuzz-ci

# The whole unit + end-to-end suite against an ASan + UBSan build (LeakSanitizer on) in
# build-asan/. Every process writes its reports to $(SAN_LOGS)/ (workers included: their
# stderr may be the app's); any report file, or any failing test, fails the target. Leaks inside
# libpython are suppressed (tests/sanitizers/lsan.supp), never leaks in our code.
# allocator_may_return_null: an app's huge allocation is a MemoryError as without ASan, not an
# abort; detect_stack_use_after_return=0: plain stacks, as CPython's recursion limits assume.
# Workers that leave through _exit() are not leak-checked; the master's exit is. CPython is
# linked shared here, so the suppressions can name libpython3.11.so.
ASAN_DIR ?= build-asan
SAN_LOGS = $(abspath $(ASAN_DIR))/sanitizer-logs
SAN_ENV = GREENFORK_SANITIZED=1 \
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:detect_stack_use_after_return=0:log_path=$(SAN_LOGS)/asan \
	LSAN_OPTIONS=suppressions=$(abspath tests/sanitizers/lsan.supp):print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan
SAN_E2E = $(SAN_ENV) GREENFORK_BIN=$(abspath $(ASAN_DIR))/greenfork $(PYTHON) -m pytest -q \
	-o cache_dir=$(abspath $(ASAN_DIR))/pytest-cache tests/e2e

sanitize: deps
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
		-DCMAKE_C_FLAGS_DEBUG="-O0 -g1" -DGREENFORK_SANITIZE=ON -DGREENFORK_STATIC_PYTHON=OFF \
		-DPython3_EXECUTABLE=$(PYTHON) >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	@cd $(ASAN_DIR) && $(SAN_ENV) ctest --output-on-failure -j $(JOBS)
	@$(SAN_E2E) || { echo "Re-running the failed end-to-end tests once:"; $(SAN_E2E) --last-failed; }
	@if [ -n "$$(ls -A $(SAN_LOGS))" ]; then echo "Sanitizer reports in $(SAN_LOGS):"; \
		head -n 60 $(SAN_LOGS)/*; exit 1; fi
	@echo "sanitize: no ASan/LSan/UBSan reports"

# libFuzzer targets (tests/fuzz/) built with clang + ASan + UBSan in build-fuzz/, run in
# parallel for FUZZ_SECONDS each; any crash, leak, UB or invariant violation fails.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZERS = fuzz_request_parser fuzz_proxy_protocol fuzz_websocket_frames

fuzz-build: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" \
		-DGREENFORK_FUZZ=ON -DGREENFORK_TESTS=OFF -DPython3_EXECUTABLE=$(PYTHON) >/dev/null
	@cmake --build $(FUZZ_DIR) --target $(FUZZERS) -j $(JOBS)

fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_DIR) $(FUZZ_SECONDS)

# What `make test` runs: a fixed 60 s per target.
fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60

# Per-operation costs of the hot path's pieces (bench/micro, Google Benchmark), Release build.
microbench: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DGREENFORK_MICROBENCH=ON \
		-DPython3_EXECUTABLE=$(PYTHON) >/dev/null
	@cmake --build $(BUILD_DIR) --target micro_bench -j $(JOBS)
	@$(BUILD_DIR)/bench/micro/micro_bench

format:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
