#!/bin/sh
# Prints the path of the mira the comparison scripts time: $MIRA_BIN when set, else the release build that
# tools/publish.sh makes in WORK/mira (native mira + managed/ for the archive commands; its log in WORK/publish.log).
# Usage: mira=$(bench/mira-bin.sh WORK)
set -eu
if [ -n "${MIRA_BIN:-}" ]; then
  echo "$MIRA_BIN"
  exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)
echo "building mira (tools/publish.sh: native mira + managed/ for the archive commands) ..." >&2
"$root/tools/publish.sh" "$1/mira" >"$1/publish.log" 2>&1 || { cat "$1/publish.log" >&2; exit 1; }
echo "$1/mira/mira"
