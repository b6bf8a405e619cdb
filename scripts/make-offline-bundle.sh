#!/usr/bin/env bash
# One archive that installs netpatrol on a machine without any network: every runtime wheel,
# the Debian packages the PDF report needs (.deb), install-offline.sh, MANIFEST and SHA256SUMS.
#
#   scripts/make-offline-bundle.sh [--python-version 3.11] [--platform TAG ...] [--out DIR] [--no-debs]
#
# --platform is repeatable and taken literally by pip: state every tag the target accepts
# (--platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 ...). --out defaults to dist/.
#
# Default target: this machine's Python and platform (`pip wheel`, so a dependency published only
# as an sdist is built here). A stated Python version or platform takes published wheels only
# (`pip download --only-binary=:all:`) and refuses when a dependency has none for the target.
# The .deb files always come from this machine's apt sources, so they suit its Debian release and
# architecture: build on a machine of the target's release.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
die() { echo "make-offline-bundle: $*" >&2; exit 2; }

pyver="" platforms=() out="$REPO/dist" debs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --python-version) [ $# -ge 2 ] || die "--python-version needs a value (e.g. 3.11)"; pyver=$2; shift 2 ;;
    --platform) [ $# -ge 2 ] || die "--platform needs a value (e.g. manylinux2014_x86_64)"; platforms+=("$2"); shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
    --no-debs) debs=0; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[ -z "$pyver" ] || [[ "$pyver" =~ ^3\.[0-9]+$ ]] || die "--python-version must look like 3.11, not '$pyver'"

here_pyver=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')
here_platform=$($PY -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))')
stated=0
if [ -n "$pyver" ] && [ "$pyver" != "$here_pyver" ]; then stated=1; fi
if [ ${#platforms[@]} -gt 0 ]; then stated=1; fi
pyver=${pyver:-$here_pyver}
if [ ${#platforms[@]} -eq 0 ] && [ $stated -eq 0 ]; then
  platforms=("$here_platform")
elif [ ${#platforms[@]} -eq 0 ]; then
  # Only another Python stated: wheels this machine's glibc runs. pip takes a stated manylinux tag
  # literally (manylinux_2_36 does not admit a manylinux_2_17 wheel), so every one is listed.
  read -r -a platforms <<<"$($PY -c 'import platform; g = int(platform.libc_ver()[1].split(".")[1]); m = platform.machine()
print(" ".join([f"manylinux2014_{m}"] + [f"manylinux_2_{n}_{m}" for n in range(17, g + 1)]))')"
  plat_name=${platforms[-1]}
fi
min_py=$(sed -n 's/^requires-python = ">=\(3\.[0-9]*\)"$/\1/p' "$REPO/pyproject.toml")
[ -z "$min_py" ] || [ "${pyver#3.}" -ge "${min_py#3.}" ] || die "netpatrol needs Python $min_py or newer, not $pyver"
cp_tag="cp${pyver/./}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$REPO/pyproject.toml" | head -n 1)
[ -n "$version" ] || die "no version in $REPO/pyproject.toml"
[ -n "${plat_name:-}" ] || plat_name=$(IFS=.; echo "${platforms[*]}")
name="netpatrol-offline-$version-$cp_tag-$plat_name"

if [ $debs -eq 1 ]; then
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "the .deb files need apt-get and dpkg (a Debian machine); or pass --no-debs"
  deb_arch=$(dpkg --print-architecture)
  case "$deb_arch" in amd64) machine=x86_64 ;; arm64) machine=aarch64 ;; i386) machine=i686 ;; *) machine=$deb_arch ;; esac
  for p in "${platforms[@]}"; do
    [[ "$p" == *"$machine" || "$p" == any ]] || die "platform $p is not this machine's architecture ($deb_arch): its .deb files would not install there; build on the target's architecture or pass --no-debs"
  done
fi

started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage/wheels" "$work/src"

# Build from a copy: an in-tree build would leave build/ and egg-info behind in the repository.
tar -C "$REPO" --exclude='__pycache__' --exclude='*.egg-info' -cf - pyproject.toml README.md src | tar -C "$work/src" -xf -
echo "building the netpatrol $version wheel and collecting its dependencies ($cp_tag, ${platforms[*]})" >&2
pip_log="$work/pip.log"
if [ $stated -eq 0 ]; then
  # pip itself too: install-offline.sh bootstraps the venv's pip from it, so the target needs no
  # ensurepip (Debian's python3 has none without the python3-venv package).
  $PY -m pip wheel -q --wheel-dir "$stage/wheels" "$work/src" pip >"$pip_log" 2>&1 || { cat "$pip_log" >&2; die "pip wheel failed (above)"; }
else
  $PY -m pip wheel -q --no-deps --wheel-dir "$stage/wheels" "$work/src" >"$pip_log" 2>&1 || { cat "$pip_log" >&2; die "building the netpatrol wheel failed (above)"; }
  plat_args=()
  for p in "${platforms[@]}"; do plat_args+=(--platform "$p"); done
  own_wheel=$(ls "$stage"/wheels/netpatrol-*.whl)
  if ! $PY -m pip download -q --only-binary=:all: --python-version "$pyver" --implementation cp --abi "$cp_tag" \
      "${plat_args[@]}" --dest "$stage/wheels" "$own_wheel" pip >"$pip_log" 2>&1; then
    missing=$(sed -n 's/.*No matching distribution found for \([^ ]*\).*/\1/p' "$pip_log" | head -n 1)
    [ -n "$missing" ] || { cat "$pip_log" >&2; die "pip download failed (above)"; }
    die "no wheel of '$missing' is published for Python $pyver ($cp_tag) on ${platforms[*]}: build the bundle on a machine of the target (default target), or state another --platform"
  fi
fi

if [ $debs -eq 1 ]; then
  mkdir -p "$stage/debs"
  read -r -a wanted <<<"$(bash "$REPO/scripts/install-system-deps.sh" --list-pdf)"
  [ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ] || apt-get update -qq \
    || die "apt has no package lists and 'apt-get update' failed (run it as root once)"
  # What every Debian system has, container images included: the closure of the Essential and
  # Priority: required packages (debootstrap's minbase). The rest of the closure is bundled.
  simulate() { apt-get -s -o Dir::State::status=/dev/null install --no-install-recommends "$@" 2>/dev/null | awk '/^Inst /{print $2}' | sort -u; }
  mapfile -t base < <(apt-cache dumpavail | awk -F': ' '/^Package:/{p=$2} /^(Priority: required|Essential: yes)$/{print p}' | sort -u)
  mapfile -t closure < <(comm -23 <(simulate "${wanted[@]}") <(simulate "${base[@]}"))
  [ ${#closure[@]} -gt 0 ] || die "apt could not resolve ${wanted[*]} (are the package lists current? apt-get update)"
  (cd "$stage/debs" && apt-get download -q "${closure[@]}" >"$pip_log" 2>&1) || { cat "$pip_log" >&2; die "apt-get download failed (above)"; }
fi

cp "$REPO/scripts/offline/install-offline.sh" "$stage/install-offline.sh"
chmod 0755 "$stage/install-offline.sh"
{
  echo "netpatrol offline bundle"
  echo "netpatrol: $version"
  echo "python: $pyver ($cp_tag)"
  echo "platforms: ${platforms[*]}"
  if [ $debs -eq 1 ]; then
    (. /etc/os-release && echo "debian: ${PRETTY_NAME:-unknown} (${VERSION_CODENAME:-unknown}) $deb_arch")
  else
    echo "debian: none (built with --no-debs)"
  fi
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m) with Python $here_pyver"
  echo "install: tar xzf $name.tar.gz && cd $name && sudo ./install-offline.sh"
  echo
  echo "wheels:"
  for w in "$stage"/wheels/*.whl; do echo "  $(basename "$w")"; done
  if [ $debs -eq 1 ]; then
    echo "debs:"
    for d in "$stage"/debs/*.deb; do echo "  $(dpkg-deb -f "$d" Package) $(dpkg-deb -f "$d" Version) $(dpkg-deb -f "$d" Architecture)"; done
  fi
  echo
  echo "sha256 (also in SHA256SUMS, which install-offline.sh checks first):"
} >"$stage/MANIFEST"
(cd "$stage" && find . -type f ! -name SHA256SUMS ! -name MANIFEST | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum) >"$work/sums"
sed 's/^/  /' "$work/sums" >>"$stage/MANIFEST"
(cd "$stage" && sha256sum MANIFEST | cat - "$work/sums") >"$stage/SHA256SUMS"

mkdir -p "$out"
archive="$(cd "$out" && pwd)/$name.tar.gz"
tar -C "$work" -czf "$archive.part" "$name"
mv "$archive.part" "$archive"
echo "$archive ($(du -h "$archive" | cut -f1), $(ls "$stage/wheels" | wc -l) wheels, $(ls "$stage/debs" 2>/dev/null | wc -l) debs, $(( $(date +%s) - started )) s)" >&2
echo "$archive"
