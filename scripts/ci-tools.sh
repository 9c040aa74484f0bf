#!/usr/bin/env bash
# Installs the binaries the tests drive from the Debian packages, when they are missing: nginx for `nginx -t`,
# haproxy for `haproxy -c` and a loopback load balancer, openssl for the throwaway certificate both configs load
# (test/deploy-proxies.test.ts), promtool for `promtool check config|rules` (test/deploy-prometheus.test.ts) and
# chromium for the browser tests (test/e2e-*.test.ts, through playwright-core, which never downloads a browser).
# Idempotent: with all present it only prints their versions. Prints one line per tool.
set -euo pipefail

# Binary -> Debian package. `nginx` (not nginx-light) is the package holding /usr/sbin/nginx on Debian 12;
# promtool comes with the `prometheus` package (which also brings the prometheus daemon, never started here).
declare -A packages=([nginx]=nginx [haproxy]=haproxy [openssl]=openssl [promtool]=prometheus [chromium]=chromium)
# Binary -> the daemon its package may start.
declare -A daemons=([nginx]=nginx [haproxy]=haproxy [promtool]=prometheus)
tools=(nginx haproxy openssl promtool chromium)

have() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1; }
version() {
  case $1 in
    nginx) PATH="$PATH:/usr/sbin" nginx -v 2>&1 ;;
    haproxy) PATH="$PATH:/usr/sbin" haproxy -v 2>&1 | head -n 1 ;;
    openssl) openssl version 2>&1 ;;
    promtool) promtool --version 2>&1 | head -n 1 ;;
    # The Debian launcher is a shell script that may complain on stderr about /dev/shm; the version is on stdout.
    chromium) chromium --version 2>/dev/null ;;
  esac
}

missing=()
for tool in "${tools[@]}"; do have "$tool" || missing+=("$tool"); done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "ci-tools: FATAL: ${missing[*]} missing and not root (no sudo): run it as root, or apt-get install ${missing[*]}" >&2
    exit 1
  fi
  pkgs=()
  for tool in "${missing[@]}"; do pkgs+=("${packages[$tool]}"); done

  # Package maintainer scripts would start the daemons (nginx on port 80, prometheus on 9090). policy-rc.d answering
  # 101 is Debian's way to forbid that during an install; Docker images usually ship one already, so add ours only if
  # absent.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    "${sudo[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
  fi

  # The daemons' processes before the install, so only ones the packages start are stopped below.
  declare -A running_before=()
  for tool in "${missing[@]}"; do
    daemon=${daemons[$tool]:-}
    if [[ -n $daemon ]]; then running_before[$daemon]=" $(pidof "$daemon" 2>/dev/null || true) "; fi
  done

  started=$SECONDS
  install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/tmp/ci-tools-apt.log 2>&1; }
  # Stale or absent package lists make the first try fail (404 / no candidate): refresh once and retry.
  if ! install; then
    "${sudo[@]}" apt-get update -q >>/tmp/ci-tools-apt.log 2>&1 || true
    if ! install; then
      echo "ci-tools: FATAL: apt-get install ${pkgs[*]} failed; see /tmp/ci-tools-apt.log:" >&2
      tail -n 20 /tmp/ci-tools-apt.log >&2
      exit 1
    fi
  fi
  elapsed=$((SECONDS - started))

  # Belt and braces: if a daemon came up anyway (no policy-rc.d honoured), stop it; it was not running before.
  for daemon in "${!running_before[@]}"; do
    for pid in $(pidof "$daemon" 2>/dev/null || true); do
      [[ ${running_before[$daemon]} == *" $pid "* ]] && continue
      echo "ci-tools: stopping the $daemon daemon the package started (pid $pid)" >&2
      "${sudo[@]}" kill "$pid" || true
    done
  done
fi

for tool in "${tools[@]}"; do
  if ! have "$tool"; then
    echo "ci-tools: FATAL: $tool still missing after install" >&2
    exit 1
  fi
  how=present
  for m in "${missing[@]}"; do [[ $m == "$tool" ]] && how="installed (apt-get, ${elapsed}s)"; done
  echo "ci-tools: $tool $how: $(version "$tool")"
done
