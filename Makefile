# Thin wrapper over meson; the build directory is build/.
#   make            configure (if needed) and build
#   make test       install deps, build, run every test; last line "N passed, N failed"
#   make run        install deps, build, run the embedded default (scripts/run-default.sh)
#   make bench      install deps, build, run bench/run.sh
#   make lint       clang-format check (make format rewrites)
#   make cmake      configure and build the CMake mirror into build-cmake/
#   make asan       unit and integration tests under ASan/UBSan (build-asan/)
BUILD ?= build
MESON_OPTS ?= -Dwerror=true
MESON_TEST_ARGS ?=
PY ?= /usr/bin/python3

# deps must finish before anything is configured.
.NOTPARALLEL:
.PHONY: all deps configure build run test bench lint format cmake clean asan

all: build

deps:
	@scripts/install-deps.sh

configure:
	@if [ ! -f $(BUILD)/meson-private/coredata.dat ]; then \
		meson setup $(BUILD) $(MESON_OPTS) || exit 1; \
	elif [ ! -f $(BUILD)/build.ninja ]; then \
		meson setup --reconfigure $(BUILD) $(MESON_OPTS) || \
			meson setup --wipe $(BUILD) $(MESON_OPTS) || exit 1; \
	fi

build: configure
	ninja -C $(BUILD)

run: deps build
	@if [ ! -f scripts/run-default.sh ]; then \
		echo "make run: scripts/run-default.sh does not exist yet (nothing to run)"; exit 1; fi
	@bash scripts/run-default.sh $(BUILD)

# Runs every test without stopping at the first failure. The summary is the
# last thing printed and its exit status is make's; a failed build is reported
# by the summary too (as one failure), so the last line is always
# "N passed, N failed".
test: deps
	@rc=0; $(MAKE) --no-print-directory build || rc=$$?; \
	rm -f $(BUILD)/meson-logs/testlog.json; \
	if [ $$rc -eq 0 ]; then \
		meson test -C $(BUILD) --num-processes 2 --print-errorlogs --no-rebuild $(MESON_TEST_ARGS) || true; \
		$(PY) scripts/test-summary.py $(BUILD)/meson-logs/testlog.json; \
	else \
		$(PY) scripts/test-summary.py --build-failed; \
	fi

bench: deps build
	@if [ -f bench/run.sh ]; then bash bench/run.sh $(BUILD); else echo "no benchmarks yet"; fi

# Unit and integration tests under AddressSanitizer and UBSan.
asan: deps
	@[ -f build-asan/build.ninja ] || \
		meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=0 meson test -C build-asan --no-rebuild --num-processes 2 \
		--suite unit --suite integration --print-errorlogs

lint:
	@scripts/lint.sh

format:
	@scripts/lint.sh --fix

cmake:
	cmake -S . -B build-cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-cmake -j 2

clean:
	rm -rf $(BUILD) build-cmake
