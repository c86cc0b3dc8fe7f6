#!/usr/bin/env bash
# CI proof of the CDK Terrain switch: switch a scratch clone of this checkout, install it with
# Node 22 (from the npm registry's node-linux-<arch> package: no other download), run the type
# check, the tests, lint and synth there, then compare its stacks with the cdktf ones.
# Usage: bash cdktn-switch/ci.sh <cdktf output dir synthesized from this checkout>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cdktf_out=$(cd "${1:?usage: ci.sh <cdktf.out of this checkout>}" && pwd)
cd "$root"
if node -e 'process.exit(require("./package.json").dependencies.cdktn ? 0 : 1)'; then
  echo "cdktn-switch: this checkout already uses CDK Terrain; nothing to prove"
  exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
started=$SECONDS
step() { echo "-- cdktn: $1 ($((SECONDS - started)) s)"; }

case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "cdktn-switch: no Node package for $(uname -m)"; exit 1 ;; esac
node_version=$(node -p 'require("./cdktn-switch/versions.json").ciNode')
step "Node $node_version (node-linux-$arch from the npm registry)"
npm install --prefix "$scratch/node" --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@$node_version" >/dev/null
node22="$scratch/node/node_modules/node-linux-$arch/bin"

step "scratch clone with the working tree's files"
git clone --quiet --no-hardlinks "$root" "$scratch/project"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$scratch/project"
cd "$scratch/project"
node cdktn-switch/switch.mjs
# Committed as a user would, so tools that compare with HEAD (npm run diff) see a switched base too.
git add -A && git -c user.name=ci -c user.email=ci@localhost commit --quiet --no-verify -m "Switch to CDK Terrain"

export PATH="$node22:$PATH"
step "npm ci with $(node --version)"
npm ci --no-audit --no-fund --loglevel=error
step "type check and tests"
npm test -- --reporter=default --silent
step "lint"
npm run lint --silent
step "synth (npm run synth: the wrapper picks the cdktn CLI)"
rm -rf cdktf.out
npm run synth --silent >/dev/null
step "compare with the cdktf stacks"
node cdktn-switch/compare-synth.mjs "$cdktf_out" cdktf.out
if [ -f "$root/../shared/tools/tfvalidate/tfvalidate.mjs" ]; then
  step "tfvalidate (against the 6.25.0 schema; the newer provider pin is a warning)"
  node "$root/../shared/tools/tfvalidate/tfvalidate.mjs" cdktf.out
fi
step "done"
