#!/usr/bin/env bash
# Installs what the local mesh needs, idempotently: pnpm, node dependencies, the Kafka
# broker jars (Maven Central) and FerretDB (built with the Go toolchain). Everything lands
# in .cache/ (kept by `make clean`, which only removes the state folder .voltmesh/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache"
mkdir -p "$cache"

need() { command -v "$1" >/dev/null 2>&1 || { echo "voltmesh: '$1' is missing: install $2 and run again." >&2; exit 1; }; }
need node "Node.js 20+"
need npm "Node.js 20+ (npm)"
need java "a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)"
need mvn "Apache Maven (e.g. apt-get install maven)"
need go "Go 1.24+ (https://go.dev/doc/install)"
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[ "${java_major:-0}" -ge 17 ] || { echo "voltmesh: Java ${java_major:-?} found, Kafka 4 needs Java 17+: install it and run again." >&2; exit 1; }

# pnpm, the version package.json pins: corepack first; its signature check can fail against a
# registry mirror, and then npm installs it into .cache/pnpm (no global changes either way).
pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")
export PATH="$cache/pnpm/node_modules/.bin:$PATH"
if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if ! (COREPACK_ENABLE_DOWNLOAD_PROMPT=0 corepack prepare "pnpm@$pnpm_version" --activate >/dev/null 2>&1 \
        && corepack enable pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$pnpm_version" ]); then
    echo "voltmesh: installing pnpm@$pnpm_version with npm (corepack could not)" >&2
    npm install --silent --no-audit --no-fund --prefix "$cache/pnpm" "pnpm@$pnpm_version" >/dev/null
  fi
fi

stamp="$cache/pnpm-install.stamp"
if [ ! -d "$root/node_modules" ] || [ ! -f "$stamp" ] || [ "$root/pnpm-lock.yaml" -nt "$stamp" ]; then
  echo "voltmesh: installing node dependencies" >&2
  (cd "$root" && CI=true pnpm install --frozen-lockfile --reporter=silent)
  touch "$stamp"
fi

# Kafka: the pom only lists the broker artifact; Maven resolves its dependency tree.
kafka_libs="$cache/kafka/libs"
kafka_stamp="$cache/kafka/pom.sha"
pom_sha=$(sha256sum "$root/infra/kafka/pom.xml" | cut -d' ' -f1)
if [ ! -f "$kafka_stamp" ] || [ "$(cat "$kafka_stamp")" != "$pom_sha" ]; then
  echo "voltmesh: fetching Kafka broker jars with Maven" >&2
  rm -rf "$kafka_libs"
  mvn -q -B -Dstyle.color=never -f "$root/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$kafka_libs" -DincludeScope=runtime
  echo "$pom_sha" > "$kafka_stamp"
fi

# FerretDB: its module has no generated build/version/version.txt, and the binary panics
# without one when built as its own main module, so we vendor the module, add the file and
# build from the vendor tree. go.mod/go.sum pin v1.24.2 (see infra/ferretdb/README.md).
ferret_bin="$cache/ferretdb/bin/ferretdb"
ferret_stamp="$cache/ferretdb/go.sum.sha"
sum_sha=$(cat "$root/infra/ferretdb/go.mod" "$root/infra/ferretdb/go.sum" | sha256sum | cut -d' ' -f1)
if [ ! -x "$ferret_bin" ] || [ ! -f "$ferret_stamp" ] || [ "$(cat "$ferret_stamp")" != "$sum_sha" ]; then
  echo "voltmesh: building FerretDB with Go (about a minute)" >&2
  build="$cache/ferretdb/build"
  rm -rf "$build" && mkdir -p "$build" "$(dirname "$ferret_bin")"
  cp "$root/infra/ferretdb/go.mod" "$root/infra/ferretdb/go.sum" "$build/"
  version=$(sed -n 's/.*github.com\/FerretDB\/FerretDB \(v[0-9.]*\).*/\1/p' "$build/go.mod" | head -1)
  (cd "$build" && go mod vendor \
    && echo "$version" > vendor/github.com/FerretDB/FerretDB/build/version/version.txt \
    && go build -mod=vendor -o "$ferret_bin" github.com/FerretDB/FerretDB/cmd/ferretdb)
  rm -rf "$build"
  echo "$sum_sha" > "$ferret_stamp"
fi

# Kubernetes tooling for `make k8s-check` (all offline afterwards, under .cache/k8s/):
# - kustomize, built with Go from the module proxy;
# - JSON schemas of the Kubernetes API (strict: unknown fields are errors) from the
#   kubernetes-validate wheel on PyPI (only the one version's folder is kept);
# - the CRDs the manifests use, generated from their projects' own API types: Strimzi's
#   (Kafka, KafkaNodePool, KafkaTopic) with Strimzi's CRD generator from Maven Central, the
#   prometheus-operator's (ServiceMonitor, PrometheusRule) with controller-gen (Go).
# Versions live here and in scripts/k8s/tools/ (go.mod, strimzi/pom.xml); a change rebuilds.
kustomize_version=v5.8.1
k8s_schema_pkg=kubernetes-validate==1.37.0
k8s_schema_version=v1.34.0
k8s_tools="$root/scripts/k8s/tools"
k8s_cache="$cache/k8s"
k8s_stamp="$k8s_cache/tools.sha"
k8s_sha=$( { echo "$kustomize_version $k8s_schema_pkg $k8s_schema_version"; cat "$k8s_tools/go.mod" "$k8s_tools/go.sum" "$k8s_tools/strimzi/pom.xml"; } | sha256sum | cut -d' ' -f1)
if [ ! -f "$k8s_stamp" ] || [ "$(cat "$k8s_stamp")" != "$k8s_sha" ] || [ ! -x "$k8s_cache/bin/kustomize" ]; then
  need python3 "Python 3 with pip (e.g. apt-get install python3-pip)"
  echo "voltmesh: installing the Kubernetes check tools (kustomize, API schemas, CRDs; a few minutes once)" >&2
  rm -rf "$k8s_cache" && mkdir -p "$k8s_cache/bin" "$k8s_cache/crds/strimzi" "$k8s_cache/crds/monitoring" "$k8s_cache/schemas"
  GOBIN="$k8s_cache/bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
  (cd "$k8s_tools" && GOBIN="$k8s_cache/bin" go install sigs.k8s.io/controller-tools/cmd/controller-gen \
    && "$k8s_cache/bin/controller-gen" crd:crdVersions=v1,maxDescLen=0 \
      paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 \
      output:crd:dir="$k8s_cache/crds/monitoring")
  wheel_dir="$k8s_cache/wheel"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$wheel_dir" "$k8s_schema_pkg"
  python3 - "$wheel_dir" "$k8s_cache/schemas/kubernetes" "$k8s_schema_version-local-strict" <<'PY'
import pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob('*.whl'))
prefix = f'kubernetes_validate/kubernetes-json-schema/{sys.argv[3]}/'
out = pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(wheel) as archive:
    names = [name for name in archive.namelist() if name.startswith(prefix) and name.endswith('.json')]
    if not names:
        sys.exit(f'{wheel.name} has no {prefix}')
    for name in names:
        (out / name[len(prefix):]).write_bytes(archive.read(name))
PY
  rm -rf "$wheel_dir"
  strimzi_libs="$k8s_cache/strimzi-libs"
  mvn -q -B -Dstyle.color=never -f "$k8s_tools/strimzi/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$strimzi_libs" -DincludeScope=runtime
  java -cp "$strimzi_libs/*" io.strimzi.crdgenerator.CrdGenerator --crd-api-version v1 \
    --api-versions v1beta2 --storage-version v1beta2 --yaml \
    "io.strimzi.api.kafka.model.kafka.Kafka=$k8s_cache/crds/strimzi/kafka.yaml" \
    "io.strimzi.api.kafka.model.nodepool.KafkaNodePool=$k8s_cache/crds/strimzi/kafkanodepool.yaml" \
    "io.strimzi.api.kafka.model.topic.KafkaTopic=$k8s_cache/crds/strimzi/kafkatopic.yaml" 2>/dev/null
  rm -rf "$strimzi_libs"
  echo "$k8s_sha" > "$k8s_stamp"
fi
