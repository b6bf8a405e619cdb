#!/usr/bin/env bash
# Installs netpatrol from this bundle alone, without any network (made by
# scripts/make-offline-bundle.sh; see MANIFEST for the target it was built for).
#
#   sudo ./install-offline.sh [--venv DIR] [--no-system]
#
# 1. checks every file against SHA256SUMS, and that python3 (or $PYTHON) is the bundle's Python
# version on its architecture; 2. installs the bundled .deb files (pango and the CJK font the PDF
# report needs) with dpkg -i when some are not installed: this needs root, and without root it stops
# and prints the command (or pass --no-system to skip it: every report format but PDF works
# without); 3. creates the virtual environment (default /opt/netpatrol/venv; python3-venv is not
# needed) and installs the bundled wheels into it with every package index disabled. Run a newer
# bundle's install-offline.sh with the same --venv to upgrade: netpatrol and its dependencies are
# replaced in place by the bundle's; workspaces are not touched.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-python3}
venv=/opt/netpatrol/venv system=1
die() { echo "install-offline: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) [ $# -ge 2 ] || die "--venv needs a directory"; venv=$2; shift 2 ;;
    --no-system) system=0; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
manifest() { sed -n "s/^$1: //p" "$HERE/MANIFEST" | head -n 1; }

# 1. Integrity: a file damaged or changed on the way stops everything before anything is installed.
[ -f "$HERE/SHA256SUMS" ] || die "no SHA256SUMS beside this script: run it from the extracted bundle"
(cd "$HERE" && sha256sum --quiet --strict -c SHA256SUMS) || die "the bundle does not match SHA256SUMS (listed above): copy the archive again"
extra=$(cd "$HERE" && comm -13 <(awk '{print $2}' SHA256SUMS | LC_ALL=C sort) <(find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort))
[ -z "$extra" ] || die "files not listed in SHA256SUMS: $extra"
echo "bundle verified: $(wc -l <"$HERE/SHA256SUMS") files match SHA256SUMS"

# The target: wheels for another Python or architecture would only make pip fail halfway with
# "no matching distribution", so a mismatch stops here, before anything is installed.
want_py=$(manifest python | cut -d' ' -f1)
have_py=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
  || die "no $PY on this machine: install Debian's python3 (from the release's installation media), or set PYTHON=/path/to/python$want_py"
[ "$have_py" = "$want_py" ] || die "this bundle was built for Python $want_py, $PY is Python $have_py: set PYTHON=/path/to/python$want_py, or build the bundle again with --python-version $have_py"
machine=$(uname -m)
read -r -a tags <<<"$(manifest platforms)"
fits=0
for t in "${tags[@]}"; do [[ "$t" == *"_$machine" || "$t" == any ]] && fits=1; done
[ "$fits" -eq 1 ] || die "this bundle was built for ${tags[*]}, this machine is $machine: build the bundle again for $machine"

# 2. Debian packages. Installed ones are left alone, even at an older version than bundled (any
# release of them serves the PDF report, and an installer should not upgrade a server's libraries
# behind its administrator's back). When some are missing, those go in, with the bundled release
# of any older installed one beside them (a missing package may need it); never a downgrade.
if [ "$system" -eq 1 ] && [ -d "$HERE/debs" ]; then
  built_for=$(manifest debian)
  here_codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-unknown}")
  [[ "$built_for" == *"($here_codename)"* ]] \
    || die "the .deb files were fetched for $built_for, this machine is Debian '$here_codename': rebuild the bundle on a machine of this release, or pass --no-system (no PDF reports)"
  missing=() older=() present=0
  for deb in "$HERE"/debs/*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package) ver=$(dpkg-deb -f "$deb" Version) arch=$(dpkg-deb -f "$deb" Architecture)
    [ "$arch" = all ] && q=$pkg || q="$pkg:$arch"
    have=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$q" 2>/dev/null || true)
    if [[ "$have" != "ii "* ]]; then
      missing+=("$deb")
    elif dpkg --compare-versions "${have##* }" lt "$ver"; then
      older+=("$deb")
    else
      present=$((present + 1))
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "Debian packages: all $((present + ${#older[@]})) already installed (${#older[@]} of them older than bundled, left as they are); nothing to install"
  elif [ "$(id -u)" -ne 0 ]; then
    echo "install-offline: ${#missing[@]} Debian packages are missing, and installing them needs root. Run as root:" >&2
    echo "  dpkg -i ${missing[*]} ${older[*]}" >&2
    echo "then this script again; or pass --no-system to skip them (every report format but PDF works without)." >&2
    exit 1
  else
    echo "Debian packages: installing ${#missing[@]} missing (and ${#older[@]} installed at an older version)"
    dpkg -i "${missing[@]}" "${older[@]}" || die "dpkg -i failed (above); nothing was installed into a virtual environment yet"
  fi
elif [ "$system" -eq 0 ]; then
  echo "Debian packages: skipped (--no-system); PDF reports need pango and a CJK font"
fi

# 3. The virtual environment. Nothing may reach for a package index: every PIP_* setting of the
# caller (PIP_FIND_LINKS, PIP_EXTRA_INDEX_URL ...) is dropped, no pip.conf is read (a devnull
# PIP_CONFIG_FILE makes pip skip every config file, a machine's constraint= too), the index is
# switched off, and its URL points at the discard port should anything still ask.
while read -r var; do unset "$var"; done < <(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p')
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_INDEX_URL=http://127.0.0.1:9/ PIP_DISABLE_PIP_VERSION_CHECK=1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

version=$(manifest netpatrol)
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  # Without ensurepip (missing from Debian's python3 unless python3-venv is installed): the venv's
  # pip comes from the bundled pip wheel, run straight from the wheel file.
  $PY -m venv --without-pip "$venv" || die "could not create $venv (--venv DIR somewhere writable)"
  before=""
else
  venv_py=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
    || die "$venv exists but its python does not run: remove it (rm -r $venv) and run this script again"
  [ "$venv_py" = "$want_py" ] \
    || die "$venv is a Python $venv_py environment, this bundle is for Python $want_py: remove it (rm -r $venv) and run this script again, or pass another --venv"
  before=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("netpatrol"))' 2>/dev/null || true)
fi
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  pip_wheel=$(ls "$HERE"/wheels/pip-*.whl 2>/dev/null | head -n 1)
  [ -n "$pip_wheel" ] || die "no pip wheel in $HERE/wheels to bootstrap the virtual environment's pip"
  "$venv/bin/python" "$pip_wheel/pip" install -q --no-index --find-links "$HERE/wheels" pip \
    || die "could not install pip into $venv from $pip_wheel (above)"
fi
# An existing environment takes the bundle's release of every dependency too (eager), not only
# what the new netpatrol strictly requires: the bundle is one tested set.
"$venv/bin/python" -m pip install -q --upgrade --upgrade-strategy eager --no-index --find-links "$HERE/wheels" "netpatrol==$version" \
  || die "pip could not install netpatrol $version from $HERE/wheels (above)"
if [ "$before" = "$version" ]; then
  # Same version number (a rebuilt bundle of an unreleased version): pip would see nothing to do,
  # so the bundle's own netpatrol wheel replaces the installed code.
  "$venv/bin/python" -m pip install -q --no-deps --force-reinstall --no-index "$HERE"/wheels/netpatrol-"$version"-*.whl \
    || die "pip could not reinstall netpatrol $version from $HERE/wheels (above)"
fi
"$venv/bin/netpatrol" --version
if [ -n "$before" ]; then
  echo
  [ "$before" = "$version" ] && how="$version, replaced by this bundle's build" || how="$before -> $version"
  echo "netpatrol in $venv upgraded in place: $how (workspaces are not touched; run \`netpatrol inventory check\` in each)"
  exit 0
fi
cat <<EOF

netpatrol $version is installed in $venv. Next:
  export PATH="$venv/bin:\$PATH"
  netpatrol init /srv/netpatrol      # a new workspace (inventory, jobs, checks) to fill in
  cd /srv/netpatrol && netpatrol inventory check
EOF
