# Voltmesh: `make up` starts the mesh on embedded local infrastructure, `make test` runs the suite.
SHELL := /bin/bash
STATE ?= .voltmesh
TSX := node --import tsx
# infra/install.sh may put pnpm here when corepack cannot provide it.
export PATH := $(CURDIR)/.cache/pnpm/node_modules/.bin:$(PATH)

.PHONY: install up down clean logs status test check proto proto-check typecheck lint demo bench chaos k8s-check k8s-generate

install:            ## pnpm, node modules, Kafka jars (Maven), FerretDB (Go); idempotent
	@bash infra/install.sh

up: install         ## start Kafka, FerretDB and the seven mesh processes; waits until healthy
	@$(TSX) scripts/mesh.ts up

down:               ## stop everything, keep the data in $(STATE)/
	@if [ -d node_modules ]; then $(TSX) scripts/mesh.ts down; else echo "nothing was running"; fi

status:
	@$(TSX) scripts/mesh.ts status

clean: down         ## remove the state folder (data, logs, secrets)
	@rm -rf $(STATE) .voltmesh-test* .voltmesh-chaos
	@echo "removed $(STATE)/"

logs:               ## follow every process log
	@tail -n 50 -F $(STATE)/logs/*.log $(STATE)/kafka/kafka.log $(STATE)/ferretdb/ferretdb.log

proto:              ## regenerate libs/proto/src/gen from proto/
	@bash proto/generate.sh

proto-check:
	@bash proto/generate.sh --check

typecheck:
	@pnpm exec tsc -p tsconfig.json --noEmit

lint:
	@pnpm exec eslint --max-warnings=0 .

check: install proto-check typecheck lint

k8s-generate:       ## rewrite k8s/**/generated/ (KafkaTopics from allTopics(), PrometheusRules and dashboards from observability/)
	@$(TSX) scripts/k8s/generate.ts

k8s-check: install  ## generated k8s files current; kustomize build of every overlay, each object validated strictly offline
	@$(TSX) scripts/k8s/check.ts

test: check k8s-check ## static checks, then unit + integration + e2e on real Kafka and FerretDB
	@$(TSX) test/run.ts

demo: up           ## seed our CPO network, connect a simulated partner eMSP, run the charger simulator (Ctrl-C stops)
	@$(TSX) scripts/demo.ts

bench: install      ## benchmarks: figures and ratios measured side by side (docs/benchmarks.md); BENCH=name for one
	@$(TSX) bench/run.ts

chaos: install     ## the long chaos suite (own Kafka, FerretDB and mesh in .voltmesh-chaos): CHAOS_MINUTES, CHAOS_PARTNER_DOWN_S
	@$(TSX) scripts/chaos.ts
