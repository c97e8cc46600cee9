#!/bin/bash
# Start / stop a private Mira archive for the peer benchmarks in ../shared/bench, with the contract of
# ../shared/bench/orthanc_ctl.sh:
#   mira_ctl.sh start WORKDIR   -> empty data folder in WORKDIR, listens on 127.0.0.1 only (a free port, or
#                                  $HTTP_PORT), waits until /health answers, writes WORKDIR/server.env, prints it
#   mira_ctl.sh stop WORKDIR    -> SIGTERM to the recorded PID (graceful), SIGKILL after 20 s
#   mira_ctl.sh kill WORKDIR    -> SIGKILL at once
# Mira has no anonymous access: start creates the admin account with a random password, issues a bearer token
# for it and writes it to WORKDIR/.curlrc (mode 600); server.env sets CURL_HOME=WORKDIR, so every curl run
# through ../shared/bench/server_exec.sh authenticates without changing the peer scripts.
# The binary: $MIRA_BIN, else bench/.mira-build/mira, published once (Release, ReadyToRun) when missing;
# delete that folder to rebuild.
# DIMSE: the listener gets $DICOM_PORT or a free port, AE title MIRA; the callers the peer scripts and
# compare-dimse.sh use (BENCHSCU: dcmtk storescu/findscu; MIRASCU: mira send) are added to the AE table first.
set -euo pipefail
cmd=${1:?usage: mira_ctl.sh start|stop|kill WORKDIR}
w=$(mkdir -p "${2:?usage: mira_ctl.sh start|stop|kill WORKDIR}" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# alive PID: exists and is not a zombie
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$st" ] && [ "$st" != Z ]; }
case "$cmd" in
start)
  mira=${MIRA_BIN:-$here/.mira-build/mira}
  if [ ! -x "$mira" ]; then
    echo "publishing mira (Release) to $here/.mira-build ..." >&2
    dotnet publish "$root/src/Mira.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -o "$here/.mira-build" > "$w/publish.log" 2>&1 || { cat "$w/publish.log" >&2; exit 1; }
  fi
  rm -rf "$w/data"; mkdir -p "$w/data"; : > "$w/mira.log"
  pw=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  dport=${DICOM_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  for ae in BENCHSCU MIRASCU; do
    "$mira" ae add "$ae" --host 127.0.0.1 --port 104 --allow echo,store,find --data "$w/data" > /dev/null
  done
  MIRA_ADMIN_PASSWORD=$pw setsid "$mira" serve --data "$w/data" --urls "http://127.0.0.1:${HTTP_PORT:-0}" --dimse-port "$dport" \
    > "$w/mira.log" 2>&1 < /dev/null &
  pid=$!
  port=
  for i in $(seq 1 600); do
    port=$(sed -n 's|^Mira is serving .* on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$w/mira.log" | head -1 || true)
    if [ -n "$port" ] && curl -sf -o /dev/null "http://127.0.0.1:$port/health"; then break; fi
    port=
    alive "$pid" || { echo "mira exited; see $w/mira.log" >&2; cat "$w/mira.log" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$port" ] || { kill -KILL "$pid" 2>/dev/null || true; echo "mira did not answer within 30 s; see $w/mira.log" >&2; exit 1; }
  # Clients authenticate as scripts and PACS gateways should: with a bearer token (a password costs a PBKDF2
  # derivation on first use; a token is one SHA-256 look-up).
  token=$("$mira" token issue --user admin --data "$w/data" --label bench --days 1 2>/dev/null | head -1)
  [ -n "$token" ] || { kill -KILL "$pid" 2>/dev/null || true; echo "mira token issue failed" >&2; exit 1; }
  (umask 077; printf 'header = "Authorization: Bearer %s"\n' "$token" > "$w/.curlrc")
  ver=$("$mira" --version 2>/dev/null | head -1 || true)
  cat > "$w/server.env" <<ENV
SERVER_NAME=mira
SERVER_VERSION=$ver
SERVER_PID=$pid
SERVER_NETNS_PID=
HTTP_BASE=http://127.0.0.1:$port
DICOMWEB_BASE=http://127.0.0.1:$port/dicomweb
DICOM_HOST=127.0.0.1
DICOM_PORT=$dport
DICOM_AET=MIRA
CURL_HOME=$w
ENV
  cat "$w/server.env" ;;
stop|kill)
  [ -f "$w/server.env" ] || exit 0
  pid=$(sed -n 's/^SERVER_PID=//p' "$w/server.env")
  if [ "$cmd" = kill ]; then
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do alive "$pid" || break; sleep 0.01; done
  elif alive "$pid"; then
    kill -TERM "$pid"
    for i in $(seq 1 400); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then kill -KILL "$pid" || true; fi
  fi
  rm -f "$w/server.env" "$w/.curlrc" ;;
*) echo "usage: $0 start|stop|kill WORKDIR" >&2; exit 2 ;;
esac
