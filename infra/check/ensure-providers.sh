#!/usr/bin/env bash
# Builds the schema-only providers (schema-provider/: the real hashicorp/google and hashicorp/archive schema served
# by a small terraform-plugin-go binary) into a filesystem mirror under ~/.cache/dsc/tofu-providers/<hash>/, keyed
# by the hash of the provider source and schema file, and prints the path of the tofu CLI config that uses it.
set -euo pipefail
# The versions the schema file was taken from (schema-provider/providers-schema.json.gz; see docs/deploy-check.md).
GOOGLE_VERSION=7.45.0
ARCHIVE_VERSION=2.8.0
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/schema-provider" && pwd)"
hash="$(cd "$src" && cat go.mod go.sum main.go providers-schema.json.gz | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dsc/tofu-providers/$hash"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [[ ! -f "$cache/tofu.rc" ]]; then
  go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  platform="$("$go" env GOOS)_$("$go" env GOARCH)"
  echo "building the schema providers (google $GOOGLE_VERSION, archive $ARCHIVE_VERSION) into $cache" >&2
  bin="$cache/schema-provider"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -p=2" "$go" build -trimpath -ldflags="-s -w" -o "$bin" .)
  for p in "google:$GOOGLE_VERSION" "archive:$ARCHIVE_VERSION"; do
    name="${p%%:*}" version="${p#*:}"
    dir="$cache/mirror/registry.opentofu.org/hashicorp/$name/$version/$platform"
    mkdir -p "$dir"
    # The binary picks the provider it serves from the name it is installed under.
    cp "$bin" "$dir/terraform-provider-${name}_v$version"
  done
  rm "$bin"
  cat >"$cache/tofu.rc.tmp" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$cache/mirror"
    include = ["registry.opentofu.org/hashicorp/google", "registry.opentofu.org/hashicorp/archive"]
  }
}
RC
  mv "$cache/tofu.rc.tmp" "$cache/tofu.rc"
fi
echo "$cache/tofu.rc"
