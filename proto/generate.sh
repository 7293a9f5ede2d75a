#!/usr/bin/env bash
# Regenerates libs/proto/src/gen from proto/ with buf (npm) and ts-proto.
# With --check, generates into a temp folder and fails when the checked-in code is stale.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/proto"
buf="$root/node_modules/.bin/buf"
gen="$root/libs/proto/src/gen"
"$buf" lint
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  sed "s#out: ../libs/proto/src/gen#out: $tmp/gen#" buf.gen.yaml > "$tmp/buf.gen.yaml"
  "$buf" generate --template "$tmp/buf.gen.yaml"
  "$buf" build --as-file-descriptor-set -o "$tmp/gen/voltmesh.binpb"
  if ! diff -r "$tmp/gen" "$gen"; then
    echo "proto: libs/proto/src/gen is stale: run 'make proto' and commit the result" >&2
    exit 1
  fi
  echo "proto: generated code is up to date"
else
  rm -rf "$gen"
  "$buf" generate --template buf.gen.yaml
  # The descriptor set feeds gRPC server reflection (grpcurl, Postman, grpcui).
  "$buf" build --as-file-descriptor-set -o "$gen/voltmesh.binpb"
fi
