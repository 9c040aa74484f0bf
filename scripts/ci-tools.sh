#!/usr/bin/env bash
# Installs the binaries test/deploy-proxies.test.ts drives (nginx for `nginx -t`, haproxy for `haproxy -c` and a
# loopback load balancer, openssl for the throwaway certificate both configs load) from the Debian packages, when
# they are missing. Idempotent: with all present it only prints their versions. Prints one line per tool.
set -euo pipefail

# Binary -> Debian package. `nginx` (not nginx-light) is the package holding /usr/sbin/nginx on Debian 12.
declare -A packages=([nginx]=nginx [haproxy]=haproxy [openssl]=openssl)
tools=(nginx haproxy openssl)

have() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1; }
version() {
  case $1 in
    nginx) PATH="$PATH:/usr/sbin" nginx -v 2>&1 ;;
    haproxy) PATH="$PATH:/usr/sbin" haproxy -v 2>&1 | head -n 1 ;;
    openssl) openssl version 2>&1 ;;
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

  # Package maintainer scripts would start the daemons (nginx on port 80). policy-rc.d answering 101 is Debian's
  # way to forbid that during an install; Docker images usually ship one already, so add ours only if absent.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    "${sudo[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
  fi

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
  for tool in "${missing[@]}"; do
    if pid=$(pidof "$tool" 2>/dev/null); then
      echo "ci-tools: stopping the $tool daemon the package started (pid $pid)" >&2
      "${sudo[@]}" kill $pid || true
    fi
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
