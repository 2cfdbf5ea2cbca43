#!/usr/bin/env bash
# Is TsOcpp a drop-in for everest-core's OCPP201 (issue 17)? Builds a prefix with an everest-core release's
# interfaces, types, errors and the manifests of the modules its OCPP 2.0.1 configs use, puts TsOcpp's
# manifest.yaml beside them, and runs `manager --check` on each config twice: as everest-core ships it
# (module: OCPP201) and with only `module: OCPP201` replaced by `module: TsOcpp`.
#
#   MIRROR=<folder with EVerest+everest-core/repo, a bare repository> \
#   MANAGER=<manager build: its prefix/ (bin/manager) and run/ (schemas, www, logging config)> \
#     bash tools/dropin-check.sh [scratch folder]
#
# CORE_TAG picks the everest-core tag (default 2026.02.0), CONFIGS the configs under its config/ (default
# config-sil-ocpp201 config-sil-ocpp201-pnc). A development aid (it needs a manager build), not part of CI.
# The v0.25.0 manager's manifest schema wants a non-empty `provides`, which a few of everest-core's
# manifests (API, EvAPI) lack: those get a placeholder implementation of the `empty` interface here.
set -euo pipefail
: "${MIRROR:?set MIRROR to the folder holding EVerest+everest-core/repo}"
: "${MANAGER:?set MANAGER to a manager build folder (WORK of shared/everest-manager/build.sh)}"
CORE_TAG=${CORE_TAG:-2026.02.0}
CONFIGS=${CONFIGS:-config-sil-ocpp201 config-sil-ocpp201-pnc}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-$(mktemp -d)}
G="git --git-dir=$MIRROR/EVerest+everest-core/repo"
P=$WORK/prefix
rm -rf "$P" && mkdir -p "$P/share/everest" "$P/libexec/everest/modules" "$P/etc/everest"
$G archive "$CORE_TAG" interfaces types errors | tar -x -C "$P/share/everest"
for c in $CONFIGS; do $G show "$CORE_TAG:config/$c.yaml" > "$P/etc/everest/$c.yaml"; done
cp -r "$MANAGER/run/share/everest/schemas" "$MANAGER/run/share/everest/www" "$P/share/everest/"
cp "$MANAGER/run/etc/everest/default_logging.cfg" "$P/etc/everest/"
# The manifests of the modules the configs use (the manager reads every manifest under modules/).
for m in $(cd "$P/etc/everest" && cat $(printf '%s.yaml ' $CONFIGS) | sed -n 's/^ *module: *\([A-Za-z0-9_]*\).*/\1/p' | sort -u); do
  f=$($G ls-tree -r --name-only "$CORE_TAG" modules | grep "/$m/manifest.yaml$" | head -1 || true)
  [ -n "$f" ] || { echo "no manifest for module $m in $CORE_TAG"; exit 1; }
  mkdir -p "$P/libexec/everest/modules/$m"
  $G show "$CORE_TAG:$f" > "$P/libexec/everest/modules/$m/manifest.yaml"
  if ! grep -q '^provides:' "$P/libexec/everest/modules/$m/manifest.yaml"; then
    printf '\nprovides:\n  check_only:\n    interface: empty\n    description: placeholder for the manifest schema\n' >> "$P/libexec/everest/modules/$m/manifest.yaml"
  fi
done
mkdir -p "$P/libexec/everest/modules/TsOcpp"
cp "$HERE/manifest.yaml" "$P/libexec/everest/modules/TsOcpp/"
failed=0
for c in $CONFIGS; do
  sed 's/^\( *module: *\)OCPP201 *$/\1TsOcpp/' "$P/etc/everest/$c.yaml" > "$WORK/$c-tsocpp.yaml"
  for cfg in "$P/etc/everest/$c.yaml" "$WORK/$c-tsocpp.yaml"; do
    if out=$(cd "$P" && "$MANAGER/prefix/bin/manager" --check --prefix "$P" --config "$cfg" 2>&1); then
      echo "ok      $(basename "$cfg")"
    else
      failed=1
      echo "FAILED  $(basename "$cfg"): $(printf '%s\n' "$out" | grep -m1 'what():\|what:' || printf '%s\n' "$out" | tail -1)"
    fi
  done
done
exit $failed
