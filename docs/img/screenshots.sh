#!/usr/bin/env bash
# Regenerates the README's screenshots: the demo's comparison page and a plan's page, rendered by headless
# Chromium (apt-get install -y chromium) at 0.6 scale. Run from anywhere; takes about two minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"

./sluice demo --out "$work/demo" >/dev/null
./sluice plan --trace ../shared/data/azure/AzureLLMInferenceTrace_conv.csv --rate 50 --html "$work/plan.html" >/dev/null

shot() { # page, png, window size
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars \
    --force-device-scale-factor=0.6 --window-size="$3" --screenshot="$2" "file://$1" 2>/dev/null
}
shot "$work/demo/comparison.html" docs/img/demo-comparison.png 1400,2080
shot "$work/plan.html" docs/img/plan.png 1400,1480
ls -l docs/img/*.png
