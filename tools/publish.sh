#!/bin/sh
# Publishes Mira for this machine into OUT (default: artifacts/mira):
#   OUT/mira          `mira`, compiled ahead of time (Native AOT): the file-level commands (dump, pixels, convert, suv,
#                     metrics, render, echo/send/find/move/get, deid, phi-scan) start in milliseconds;
#   OUT/managed/      the managed build (ReadyToRun, needs the .NET 10 runtime), which the native `mira` runs for the
#                     archive commands (serve, import, archive, ae, token, user, audit). docs/native.md.
#   OUT/managed/viewer/  the OHIF Viewer that `mira serve` serves under /viewer/ (the build fetched and checked it,
#                     docs/viewer.md); left out, with a warning, when the build could not install it.
# Needs the .NET 10 SDK plus a C toolchain for the native link (Debian: gcc or clang, and zlib1g-dev).
# Usage: tools/publish.sh [OUT]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/artifacts/mira}
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64|arm64) rid=linux-arm64 ;;
  *) echo "tools/publish.sh: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac
rm -rf "$out"
dotnet publish "$root/src/Mira.Cli" -c Release -r "$rid" -p:MiraNative=true -p:DebugType=none -o "$out"
dotnet publish "$root/src/Mira.Cli" -c Release -r "$rid" --self-contained false -o "$out/managed"
viewer=$root/artifacts/ohif-app/3.13.2/package/dist
if [ -f "$viewer/index.html" ]; then
  cp -R "$viewer" "$out/managed/viewer"
else
  echo "tools/publish.sh: the image viewer is not installed (no $viewer); /viewer/ will say how to install it" >&2
fi
echo "published $out/mira (native) and $out/managed/mira (managed)" >&2
