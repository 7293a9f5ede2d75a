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
