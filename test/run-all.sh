#!/usr/bin/env bash
# npm test: start the local services, build, run every vitest suite under test/, print
# "N passed, N failed" and exit with vitest's exit code. Services are left running
# (stop them with npm run services:down).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# the project's Node 22 (npm package "node") first, also when this script is run without npm
export PATH="$PWD/node_modules/.bin:$PATH"

bash test/services/up.sh >/dev/null
npm run build

report="$(mktemp "${TMPDIR:-/tmp}/dsc-vitest.XXXXXX.json")"
trap 'rm -f "$report"' EXIT
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
code=$?
set -e

summary="$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // suites that failed to load count as failures too
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" 2>/dev/null)" || summary=""
if [[ -z "$summary" ]]; then
  # no JSON report (vitest crashed before writing it)
  summary="0 passed, 1 failed"
  ((code != 0)) || code=1
fi
echo
echo "$summary"
exit "$code"
