#!/usr/bin/env bash
# Builds restic 0.12.1 (like every release before 0.14, it knows only repository format version 1) as a test
# oracle at /opt/restic-0.12/restic, from the restic source mirror and Debian's golang-*-dev
# packages (Go's module proxy is out of reach here). Never shipped, never committed.
#
#   bash test/manual/build-restic-0.12.sh [MIRROR_GIT_DIR] [OUT]
#
# The cloud backends Cairn is never tested against (azure, gs, b2, swift) are left out of the
# build: their SDKs are not packaged in matching versions. local, sftp, rest, s3 and rclone stay.
# Debian's library versions differ slightly from restic's go.mod (e.g. minio-go 7.0.46 for 7.0.12,
# pkg/sftp 1.13.5 for 1.13.2); restic/chunker is the same 0.4.0, which is what fixes the format.
set -euo pipefail

MIRROR=${1:-/work/.mirror/restic+restic/repo}
OUT=${2:-/opt/restic-0.12/restic}
TAG=v0.12.1
WORK=$(mktemp -d /tmp/restic-0.12-build.XXXXXX)
SRC=$WORK/gopath/src/github.com/restic/restic

apt-get install -y -q \
  golang-go golang-bazil-fuse-dev golang-github-cenkalti-backoff-dev golang-github-cespare-xxhash-dev \
  golang-siphash-dev golang-github-elithrar-simple-scrypt-dev golang-github-google-go-cmp-dev \
  golang-github-hashicorp-golang-lru-dev golang-github-juju-ratelimit-dev golang-github-minio-minio-go-v7-dev \
  golang-github-minio-sha256-simd-dev golang-github-pkg-errors-dev golang-github-pkg-profile-dev \
  golang-github-pkg-sftp-dev golang-github-pkg-xattr-dev golang-github-restic-chunker-dev \
  golang-github-spf13-cobra-dev golang-github-spf13-pflag-dev golang-golang-x-crypto-dev golang-golang-x-net-dev \
  golang-golang-x-oauth2-dev golang-golang-x-sync-dev golang-golang-x-sys-dev golang-golang-x-text-dev \
  golang-gopkg-tomb.v2-dev golang-github-kr-fs-dev >/dev/null

# `git archive` stops at the first blob the mirror lacks (some test fixtures are not stored), so
# the tree is written file by file and missing test data is skipped.
mkdir -p "$SRC"
git --git-dir="$MIRROR" ls-tree -r "$TAG" | while read -r _mode _type sha path; do
  mkdir -p "$SRC/$(dirname "$path")"
  git --git-dir="$MIRROR" cat-file blob "$sha" >"$SRC/$path" 2>/dev/null || rm -f "$SRC/$path"
done

# Drop the unused cloud backends: their packages, their imports and their switch cases.
cd "$SRC"
rm -rf internal/backend/{azure,gs,b2,swift} internal/backend/location/location_test.go
python3 - <<'EOF'
import re
for path in ['cmd/restic/global.go', 'internal/backend/location/location.go']:
    s = open(path).read()
    for b in ['azure', 'b2', 'gs', 'swift']:
        s = s.replace('\t"github.com/restic/restic/internal/backend/%s"\n' % b, '')
        # a `case "name":` and every line up to the next case/default/closing brace
        s = re.sub(r'\tcase "%s":\n(?:\t\t.*\n|\n)*?(?=\t(?:case |default:|\}))' % b, '', s)
    s = re.sub(r'\t\{"(?:b2|gs|azure|swift)".*\n', '', s)
    open(path, 'w').write(s)
EOF

GO111MODULE=off GOPATH="$WORK/gopath:/usr/share/gocode" go build -o "$WORK/restic" ./cmd/restic
mkdir -p "$(dirname "$OUT")"
install -m 0755 "$WORK/restic" "$OUT"
rm -rf "$WORK"
"$OUT" version
