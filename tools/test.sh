#!/usr/bin/env bash
# The test command. Makes sure the peer tools the tests compare against or start are present (dcmtk, pydicom and
# friends, plastimatch, PostgreSQL, Orthanc with its DICOMweb plugin, OpenJPEG, dicom3tools, a C toolchain, Node.js),
# then runs `dotnet test Mira.slnx` with any extra arguments and exits with its status.
#
#   tools/test.sh [--check | --no-install] [DOTNET TEST ARGUMENTS...]
#
# As root on Debian (apt-get available) whatever is missing is installed; otherwise each missing piece is named with
# its Debian package and the tests run anyway (a test that needs a missing peer fails, saying what it needs).
# When everything is present nothing is installed, so a rerun costs only the checks (about a second).
#   --check        only report what is present and what is missing (exit 1 when something is missing)
#   --no-install   never install; report what is missing and run the tests
# Examples:
#   tools/test.sh
#   tools/test.sh --filter FullyQualifiedName~Mira.Dicom.Tests
#   tools/test.sh --logger trx --results-directory TestResults
set -uo pipefail
cd "$(dirname "$0")/.."

mode=install
args=()
for a in "$@"; do
  case "$a" in
    --check) mode=check ;;
    --no-install) [ "$mode" = check ] || mode=no-install ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) args+=("$a") ;;
  esac
done

# The Debian packages the tests use (one apt-get install of all of them, as CI does).
# dcmtk and pydicom: the peers (benchmarks, oracle checks); PostgreSQL: the storage suite starts a private server;
# Orthanc + its DICOMweb plugin (iproute2, curl): the QIDO comparison on the bench studies; OpenJPEG: J2K codec;
# dicom3tools (dciodvfy): IOD validation; gcc and zlib1g-dev: the native (AOT) build; chromium: the browser tests
# of the web workspace (Playwright drives Debian's Chromium; no browser is downloaded).
# python3-onnx and python3-torch: the reference model packages (models/) are rebuilt and their outputs compared with
# ONNX Runtime's (tests/Mira.Inference.Tests).
# slurm-wlm and munge: the Slurm executor's tests start a private single-node cluster (munged, slurmctld, slurmd) and
# run model workers through sbatch (tests/Mira.Testing/SlurmCluster.cs).
# haproxy: the cluster tests put two nodes behind a real load balancer (tests/Mira.Server.Tests/Cluster/).
apt_packages=(chromium dcmtk python3-pydicom python3-numpy python3-nibabel python3-scipy python3-pil plastimatch python3-sklearn postgresql
  libopenjp2-7 libopenjp2-tools orthanc orthanc-dicomweb iproute2 curl dicom3tools gcc zlib1g-dev python3-onnx python3-torch slurm-wlm munge haproxy)
# Node.js and npm: the dicomweb-client interop test (tests/Mira.Server.Tests/DicomwebClient) runs a Node script.
node_packages=(nodejs npm)
npm_dir=tests/Mira.Server.Tests/DicomwebClient

have_command() { command -v "$1" >/dev/null 2>&1; }

have_glob() {
  local f
  for f in "$@"; do [ -e "$f" ] && return 0; done
  return 1
}

have_library() {
  if have_glob /usr/lib/*/"$1" /usr/lib/"$1" /usr/local/lib/"$1" /lib/*/"$1"; then return 0; fi
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -qF "$1"
}

have_orthanc_dicomweb() {
  [ -n "${ORTHANC_DICOMWEB_PLUGIN:-}" ] && [ -f "$ORTHANC_DICOMWEB_PLUGIN" ] && return 0
  have_glob /usr/share/orthanc/plugins/libOrthancDicomWeb.so /usr/lib/orthanc/libOrthancDicomWeb.so* && return 0
  dpkg -L orthanc-dicomweb 2>/dev/null | grep -q 'plugins/libOrthancDicomWeb\.so$'
}

# Fills `missing` with "what|Debian package" lines, one per piece not found.
check_all() {
  missing=()
  local c
  for c in storescu dcmodify; do have_command "$c" || missing+=("$c|dcmtk"); done
  # The tests run Debian's python (/usr/bin/python3), where the python3-* packages install, not whatever is first on PATH.
  if [ -x /usr/bin/python3 ]; then
    local m
    for m in $(/usr/bin/python3 - <<'EOF' 2>/dev/null || echo "pydicom numpy nibabel scipy sklearn PIL onnx torch"
import importlib.util
print(" ".join(m for m in ("pydicom", "numpy", "nibabel", "scipy", "sklearn", "PIL", "onnx", "torch") if importlib.util.find_spec(m) is None))
EOF
    ); do
      case "$m" in
        sklearn) missing+=("/usr/bin/python3 module sklearn|python3-sklearn") ;;
        PIL) missing+=("/usr/bin/python3 module PIL (Pillow: the photograph and slide conversion tests compare with it)|python3-pil") ;;
        *) missing+=("/usr/bin/python3 module $m|python3-$m") ;;
      esac
    done
  else
    missing+=("/usr/bin/python3 with pydicom, numpy, nibabel, scipy, sklearn, PIL|python3-pydicom python3-numpy python3-nibabel python3-scipy python3-sklearn python3-pil")
  fi
  have_command plastimatch || missing+=("plastimatch|plastimatch")
  have_glob /usr/lib/postgresql/*/bin/initdb || missing+=("PostgreSQL server (/usr/lib/postgresql/<version>/bin/initdb)|postgresql")
  have_library libopenjp2.so.7 || missing+=("libopenjp2.so.7 (OpenJPEG)|libopenjp2-7")
  have_command opj_compress || missing+=("opj_compress|libopenjp2-tools")
  have_command Orthanc || have_glob /usr/sbin/Orthanc || missing+=("Orthanc|orthanc")
  have_orthanc_dicomweb || missing+=("Orthanc DICOMweb plugin (libOrthancDicomWeb.so)|orthanc-dicomweb")
  have_command ip || have_glob /usr/sbin/ip /sbin/ip || missing+=("ip|iproute2")
  have_command curl || missing+=("curl|curl")
  have_command dciodvfy || missing+=("dciodvfy|dicom3tools")
  have_command gcc || missing+=("gcc|gcc")
  for c in slurmctld slurmd sbatch; do have_command "$c" || have_glob /usr/sbin/"$c" || missing+=("$c|slurm-wlm"); done
  have_command munged || have_glob /usr/sbin/munged || missing+=("munged|munge")
  have_command haproxy || have_glob /usr/sbin/haproxy || missing+=("haproxy|haproxy")
  have_glob /usr/include/zlib.h || missing+=("zlib.h|zlib1g-dev")
  have_command node || missing+=("node (Node.js)|nodejs")
  have_command npm || missing+=("npm|npm")
  [ -x "${MIRA_CHROMIUM:-/usr/bin/chromium}" ] || missing+=("chromium (the browser tests)|chromium")
}

report_missing() {
  local m packages=()
  for m in "${missing[@]}"; do
    echo "missing: ${m%%|*} (Debian package: ${m#*|})" >&2
    packages+=(${m#*|})
  done
  echo "to install them: sudo apt-get install -y $(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++' | paste -sd ' ')" >&2
}

# Waits (up to 10 minutes) while another apt-get or dpkg holds the package locks.
wait_for_dpkg() {
  have_command fuser || return 0
  local waited=0
  while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; do
    [ "$waited" -eq 0 ] && echo "tools/test.sh: another package installation is running; waiting for it" >&2
    [ "$waited" -ge 600 ] && { echo "tools/test.sh: dpkg still locked after 10 minutes; trying anyway" >&2; return 0; }
    sleep 10
    waited=$((waited + 10))
  done
}

install_missing() {
  local log
  log=$(mktemp)
  echo "tools/test.sh: installing the Debian packages the tests need (a few minutes on a fresh machine)" >&2
  wait_for_dpkg
  apt-get -o DPkg::Lock::Timeout=600 update -qq >"$log" 2>&1 || echo "warning: apt-get update failed" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${apt_packages[@]}" >>"$log" 2>&1; then
    echo "warning: apt-get install failed; peer tools may be missing:" >&2
    tail -n 20 "$log" >&2
  fi
  # The orthanc and haproxy packages may start their system services; the tests run private instances of their own.
  (service orthanc stop || systemctl stop orthanc) >/dev/null 2>&1 || true
  (service haproxy stop || systemctl stop haproxy) >/dev/null 2>&1 || true
  if ! have_command node || ! have_command npm; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${node_packages[@]}" >>"$log" 2>&1 \
      || echo "warning: apt-get install nodejs npm failed; the dicomweb-client interop test will fail" >&2
  fi
  rm -f "$log"
}

check_all
if [ "$mode" = check ]; then
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "tools/test.sh: every peer tool the tests use is present"
  else
    report_missing
  fi
  if [ -d "$npm_dir/node_modules" ]; then
    echo "tools/test.sh: $npm_dir/node_modules is present"
  else
    echo "tools/test.sh: $npm_dir/node_modules is missing (npm ci there; tools/test.sh does it, or the test does)"
  fi
  [ "${#missing[@]}" -eq 0 ]
  exit
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$mode" = install ] && have_command apt-get && [ "$(id -u)" = 0 ]; then
    install_missing
    check_all
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "tools/test.sh: running the tests without these; the tests that need them will fail:" >&2
    report_missing
  fi
fi

# The interop test's pinned npm packages (the test also runs `npm ci` itself when node_modules is missing).
# Skipped when node_modules was installed from the current lock file.
if [ "$mode" = install ] && have_command npm \
   && ! [ "$npm_dir/node_modules/.package-lock.json" -nt "$npm_dir/package-lock.json" ]; then
  (cd "$npm_dir" && npm ci --no-audit --no-fund >/dev/null) || echo "warning: npm ci in $npm_dir failed" >&2
fi

dotnet test Mira.slnx "${args[@]}"
