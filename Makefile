# The two commands of the README, and the developer's helpers.
#   make run    install what is missing, build (the web UI too), generate and load the demo
#               platform, print the showback by team and the reconciliation, and serve the
#               dashboard on $(LISTEN) until Ctrl-C
#   make test   install what is missing, build, run every test (CTest)
BUILD ?= build
JOBS ?= $(shell nproc)
SHARED ?= $(abspath ../shared)
STORE ?= sqlite:./tally.db
DEMO ?= $(BUILD)/demo
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build run test bench fuzz format lint clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cd web && npm run --silent build
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@rm -f tally.db tally.db-wal tally.db-shm
	$(BUILD)/tally --store $(STORE) demo --out $(DEMO) --load
	@echo
	$(BUILD)/tally --store $(STORE) report showback --by owner
	@echo
	$(BUILD)/tally --store $(STORE) reconcile
	@echo
	@echo "tally: dashboard at http://$(LISTEN)/  (API http://$(LISTEN)/api/v1/openapi.json, metrics /metrics; Ctrl-C stops)"
	@exec $(BUILD)/tally --store $(STORE) serve --listen $(LISTEN) --config $(DEMO)/tally.yaml

test: build
	cd $(BUILD) && TALLY_SHARED_DIR=$(SHARED) ctest --output-on-failure -j $(JOBS)

bench: build
	@TALLY_DEPS_BENCH=1 bash scripts/deps.sh
	bash bench/ingest_vs_duckdb.sh focus
	bash bench/ingest_vs_duckdb.sh aws-cur

fuzz:
	@TALLY_DEPS_FUZZ=1 bash scripts/deps.sh
	bash scripts/fuzz.sh $(or $(SECONDS),60)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

lint: $(BUILD)/build.ninja
	git ls-files 'src/*.cc' 'apps/*.cc' | xargs clang-tidy -p $(BUILD) --quiet \
	  --extra-arg=-Wno-unknown-warning-option 2>/dev/null

clean:
	rm -rf $(BUILD)
