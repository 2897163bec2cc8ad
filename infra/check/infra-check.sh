#!/usr/bin/env bash
# npm run infra:check: the Terraform module in infra/ (or in $DSC_INFRA_DIR) checked by
#   1. checkov (policy scan),
#   2. tofu init -backend=false + tofu validate against the real hashicorp/google and hashicorp/archive schema
#      (served by schema-provider/, see docs/deploy-check.md),
#   3. tofu test: infra/tests/*.tftest.hcl plan (and mock-apply) the module with mock providers.
# Tools are built once into ~/.cache/dsc/ (first run ~6 min for OpenTofu; later runs take seconds).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
module="$(cd "${DSC_INFRA_DIR:-$repo/infra}" && pwd)"

# --- policy scan (checkov) ---
# Any failed check fails CI; deliberate exceptions are inline `checkov:skip=<id>:<reason>` next to the resource.
# checkov lives in a cached virtualenv, pinned so a new release cannot add findings on its own.
CHECKOV_VERSION=3.3.30
checkov_venv="${XDG_CACHE_HOME:-$HOME/.cache}/dsc/checkov/venv"
if [[ "$("$checkov_venv/bin/checkov" --version 2>/dev/null)" != "$CHECKOV_VERSION" ]]; then
  python3 -m venv "$checkov_venv"
  "$checkov_venv/bin/pip" install --quiet "checkov==$CHECKOV_VERSION"
fi
echo "== checkov $module"
# --skip-download: no Prisma Cloud calls (guidelines, custom policies); the built-in checks need none.
"$checkov_venv/bin/checkov" -d "$module" --framework terraform --compact --quiet --skip-download

# --- schema check and plan tests (OpenTofu) ---
tofu="$(bash "$here/ensure-tofu.sh")"
# This machine kind points TF_CLI_CONFIG_FILE at a file that does not exist: use our own, which installs the
# providers from the cached filesystem mirror only (no registry access).
export TF_CLI_CONFIG_FILE="$(bash "$here/ensure-providers.sh")"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_DATA_DIR TF_WORKSPACE

# A copy, so that init's .terraform/ and lock file (which pins the schema providers' hashes) never land in the
# module users deploy. Diagnostics name files relative to the module, e.g. "on notify.tf line 72".
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$module" && tar --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude=./.build -cf - .) |
  (mkdir -p "$work/module" && cd "$work/module" && tar -xf -)

echo "== tofu init + validate $module (hashicorp/google and hashicorp/archive schema, see docs/deploy-check.md)"
"$tofu" -chdir="$work/module" init -backend=false -input=false -no-color >"$work/init.log" 2>&1 ||
  { cat "$work/init.log" >&2; exit 1; }
"$tofu" -chdir="$work/module" validate -no-color
echo "== tofu test $module"
"$tofu" -chdir="$work/module" test -no-color
