#!/bin/sh
# Installs everything umlpy needs on a fresh Debian machine (run as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
    user-mode-linux uml-utilities qemu-utils e2fsprogs busybox-static \
    gcc make binutils libc6-dev python3-dev
cd "$(dirname "$0")/.."
python3 -m pip install -q -e '.[test]'
# pyenv keeps console scripts behind shims; refresh them when present
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
