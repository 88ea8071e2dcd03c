# Thin wrapper over meson; the build directory is build/.
BUILD ?= build
MESON_OPTS ?= -Dwerror=true
PY ?= /usr/bin/python3

.PHONY: all deps build run test bench lint format cmake clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: deps build
	@scripts/run-default.sh $(BUILD)

# Runs every test without stopping at the first failure; the summary's exit
# status is make's, and its last line is "N passed, N failed".
test: deps build
	-meson test -C $(BUILD) --num-processes 2 --print-errorlogs --no-rebuild
	@$(PY) scripts/test-summary.py $(BUILD)/meson-logs/testlog.json

bench: deps build
	@if [ -x bench/run.sh ]; then bench/run.sh $(BUILD); else echo "no benchmarks yet"; fi

lint:
	@scripts/lint.sh

format:
	@scripts/lint.sh --fix

cmake:
	cmake -S . -B build-cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-cmake -j 2

clean:
	rm -rf $(BUILD) build-cmake
