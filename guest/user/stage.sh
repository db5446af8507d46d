#!/bin/sh
# stage.sh BOX STAGE OUT -- stage the root tree and build OUT (16 MiB ext2,
# 1 KiB blocks) reproducibly: fixed UUID, hash seed, creation time and
# mtimes; every command is a hard link to the one multi-call binary BOX.
# docs/userland.md "root_fs".
set -eu
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
box=$(abspath "$1") stage=$(abspath "$2") out=$(abspath "$3")
here=$(cd "$(dirname "$0")" && pwd)
T=1704067200			# 2024-01-01 00:00:00 UTC: every timestamp
UUID=6d6c7075-6d6c-7079-2d72-6f6f74667330
SEED=6d6c7075-6861-7368-2d73-656564303030

BIN="sh ls cat echo mkdir rmdir rm cp mv ln wc head dd sync df uname ps md5sum
true false sleep test [ pwd cpubench kill mount"
SBIN="init poweroff halt reboot"

umask 022
rm -rf "$stage"
mkdir -p "$stage"
cd "$stage"
mkdir bin sbin etc dev proc tmp root
chmod 1777 tmp
chmod 0700 root
cp "$box" bin/box
chmod 0755 bin/box
for c in $BIN; do ln bin/box "bin/$c"; done
for c in $SBIN; do ln bin/box "sbin/$c"; done
cp "$here/rc" etc/rc
chmod 0644 etc/rc
mknod -m 0600 dev/console c 5 1
mknod -m 0666 dev/null c 1 3
find . -exec touch -h -d "@$T" {} +
cd - >/dev/null

mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
truncate -s 16M "$out.tmp"
E2FSPROGS_FAKE_TIME=$T mke2fs -q -F -t ext2 -b 1024 -I 256 -N 512 -m 0 \
	-U "$UUID" -E "hash_seed=$SEED,root_owner=0:0" -d "$stage" "$out.tmp"
# mke2fs -d copies each file's ctime (the staging time): pin it, and atime/crtime too
(cd "$stage" && find . | LC_ALL=C sort | sed 's|^\.||; s|^$|/|') | while read -r p; do
	for f in ctime atime mtime crtime; do echo "sif \"$p\" $f @$T"; done
done > "$stage.debugfs"
E2FSPROGS_FAKE_TIME=$T debugfs -w -f "$stage.debugfs" "$out.tmp" >/dev/null 2>&1
e2fsck -fn "$out.tmp" >/dev/null 2>&1 || { echo "stage.sh: e2fsck -fn failed on $out.tmp" >&2; exit 1; }
mv "$out.tmp" "$out"
