#!/usr/bin/env bash
# Installs netpatrol from this bundle alone, without any network (made by
# scripts/make-offline-bundle.sh; see MANIFEST for the target it was built for).
#
#   sudo ./install-offline.sh [--venv DIR] [--no-system | --upgrade-system]
#
# 1. checks every file against SHA256SUMS, and that python3 (or $PYTHON) is the bundle's Python
# version on its architecture; 2. installs those of the bundled .deb files (pango and the CJK font
# the PDF report needs) whose packages are not installed, with dpkg -i. Installed packages are
# left as they are, even when older than bundled; if a missing package needs a newer version of an
# installed one, it stops before installing anything, naming both (exit 1): pass --upgrade-system
# to install those newer bundled versions too. This step needs root: without root it prints the
# dpkg -i command (exit 1); --no-system skips it (every report format but PDF works without);
# 3. creates the virtual environment (default /opt/netpatrol/venv; python3-venv is not needed) and
# installs the bundled wheels into it with every package index disabled. Run a newer bundle's
# install-offline.sh with the same --venv to upgrade: netpatrol and its dependencies are replaced
# in place by the bundle's; workspaces are not touched. Exit 2: the bundle, the target or an
# installer step failed (the message says which, and what to do next).
set -euo pipefail
shopt -s nullglob
# A CDPATH would make cd print the directory, doubling HERE.
HERE=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd)
PY=${PYTHON:-python3}
venv=/opt/netpatrol/venv system=1 upgrade_system=0
die() { echo "install-offline: $*" >&2; exit 2; }
# Paths in messages and printed commands are shell-quoted: a bundle on "/media/U 盘" must paste.
q() { printf '%q' "$1"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) [ $# -ge 2 ] && [ -n "$2" ] || die "--venv needs a directory"; venv=$2; shift 2 ;;
    --no-system) system=0; shift ;;
    --upgrade-system) upgrade_system=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[ "$system" -eq 0 ] && [ "$upgrade_system" -eq 1 ] && die "--no-system and --upgrade-system contradict each other"
# venv relative to where the script was started, before anything changes directory.
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
# One sed, no `| head`: with pipefail a SIGPIPE'd writer would fail the assignment silently.
manifest() { if [ -f "$HERE/MANIFEST" ]; then sed -n "/^$1: /{s/^$1: //p;q}" "$HERE/MANIFEST"; fi; }

# 1. Integrity: a file damaged or changed on the way stops everything before anything is installed.
[ -f "$HERE/SHA256SUMS" ] || die "no SHA256SUMS beside this script: run it from the extracted bundle"
(cd "$HERE" && sha256sum --quiet --strict -c SHA256SUMS) || die "the bundle does not match SHA256SUMS (listed above): copy the archive again"
extra=$(cd "$HERE" && comm -13 <(awk '{print $2}' SHA256SUMS | LC_ALL=C sort) <(find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort))
[ -z "$extra" ] || die "files not listed in SHA256SUMS: $extra"
echo "bundle verified: $(wc -l <"$HERE/SHA256SUMS") files match SHA256SUMS"

# The target: wheels for another Python or architecture would only make pip fail halfway with
# "no matching distribution", so a mismatch stops here, before anything is installed.
want_py=$(manifest python | cut -d' ' -f1)
[ -n "$want_py" ] || die "MANIFEST names no Python version: not a bundle made by make-offline-bundle.sh"
have_py=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
  || die "no $PY on this machine: install Debian's python3 (from the release's installation media), or set PYTHON=/path/to/python$want_py"
[ "$have_py" = "$want_py" ] || die "this bundle was built for Python $want_py, $PY is Python $have_py: set PYTHON=/path/to/python$want_py, or build the bundle again with --python-version $have_py"
machine=$(uname -m)
read -r -a tags <<<"$(manifest platforms)"
[ ${#tags[@]} -gt 0 ] || die "MANIFEST names no platforms: not a bundle made by make-offline-bundle.sh"
fits=0
for t in "${tags[@]}"; do if [[ "$t" == *"_$machine" || "$t" == any ]]; then fits=1; fi; done
[ "$fits" -eq 1 ] || die "this bundle was built for ${tags[*]}, this machine is $machine: build the bundle again for $machine"

# 2. Debian packages. Installed ones are left alone, even at an older version than bundled (any
# release of them serves the PDF report, and an installer should not upgrade a server's libraries
# behind its administrator's back): only missing ones go in. Their Depends/Pre-Depends are checked
# against what is installed BEFORE dpkg runs, since dpkg -i would otherwise unpack them and leave
# them unconfigured; a newer installed version needed goes in only with --upgrade-system.
if [ "$system" -eq 1 ] && [ -d "$HERE/debs" ]; then
  built_for=$(manifest debian)
  here_codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-unknown}") || here_codename=unknown
  [[ "$built_for" == *"($here_codename)"* ]] \
    || die "the .deb files were fetched for ${built_for:-an unknown release}, this machine is Debian '$here_codename': rebuild the bundle on a machine of this release, or pass --no-system (no PDF reports)"
  native=$(dpkg --print-architecture)
  declare -A inst=() bver=() bdeb=() deps=() plan=()
  # What is installed (status ii), native or arch-all instances, read once.
  while read -r name arch ver st; do
    if [ "$st" = ii ] && { [ "$arch" = "$native" ] || [ "$arch" = all ]; }; then inst[$name]=$ver; fi
  done < <(dpkg-query -W -f='${Package} ${Architecture} ${Version} ${db:Status-Abbrev}\n' 2>/dev/null || true)
  debs=("$HERE"/debs/*.deb)
  [ ${#debs[@]} -gt 0 ] || die "$(q "$HERE/debs") holds no .deb files: copy the archive again, or pass --no-system"
  present=0 older=0
  for deb in "${debs[@]}"; do
    pkg=$(dpkg-deb -f "$deb" Package) || die "$(q "$deb") is not a Debian package"
    ver=$(dpkg-deb -f "$deb" Version)
    bver[$pkg]=$ver bdeb[$pkg]=$deb
    deps[$pkg]=$(dpkg-deb -f "$deb" Pre-Depends Depends | sed 's/^[A-Za-z-]*: //' | paste -sd, -)
    if [ -z "${inst[$pkg]+x}" ]; then
      plan[$pkg]=1
    elif dpkg --compare-versions "${inst[$pkg]}" lt "$ver"; then
      older=$((older + 1))
    else
      present=$((present + 1))
    fi
  done
  missing=${#plan[@]}
  # `version op want`: does an installed or bundled version satisfy a dependency? (no op: any)
  meets() { [ -z "$2" ] || dpkg --compare-versions "$1" "$2" "$3"; }
  alt_re='^[[:space:]]*([^[:space:](:]+)(:[^[:space:](]+)?[[:space:]]*(\(([<>=]+)[[:space:]]*([^)[:space:]]+)\))?'
  # To a fixed point: a bundled newer version taken with --upgrade-system has dependencies too.
  changed=1
  while [ "$changed" -eq 1 ]; do
    changed=0 needs=() blocked=()
    for p in "${!plan[@]}"; do
      IFS=, read -r -a clauses <<<"${deps[$p]}"
      for clause in "${clauses[@]}"; do
        ok=0 fix="" why=""
        IFS='|' read -r -a alts <<<"$clause"
        for alt in "${alts[@]}"; do
          [[ "$alt" =~ $alt_re ]] || continue
          name=${BASH_REMATCH[1]} op=${BASH_REMATCH[4]} want=${BASH_REMATCH[5]}
          if [ -n "${plan[$name]+x}" ]; then
            if meets "${bver[$name]}" "$op" "$want"; then ok=1; fi
          elif [ -n "${inst[$name]+x}" ]; then
            if meets "${inst[$name]}" "$op" "$want"; then
              ok=1
            else
              why="$p needs $name ($op $want), installed is ${inst[$name]}, the bundle has ${bver[$name]:-none}"
              if [ -n "${bver[$name]+x}" ] && meets "${bver[$name]}" "$op" "$want"; then fix=$name; fi
            fi
          else
            # Neither installed nor bundled: a virtual package or one dpkg knows otherwise; dpkg judges.
            ok=1
          fi
        done
        if [ "$ok" -eq 1 ] || [ -z "$why" ]; then continue; fi
        if [ -z "$fix" ]; then
          blocked+=("$why")
        elif [ "$upgrade_system" -eq 1 ]; then
          plan[$fix]=1 changed=1
        else
          needs+=("$why")
        fi
      done
    done
  done
  if [ ${#blocked[@]} -gt 0 ]; then
    printf '  %s\n' "${blocked[@]}" >&2
    die "the bundled packages need newer versions of installed ones than the bundle has (above); nothing was installed: upgrade those from the release's media, or rebuild the bundle on an up-to-date machine of this release, or pass --no-system (no PDF reports)"
  fi
  if [ ${#needs[@]} -gt 0 ]; then
    echo "install-offline: missing Debian packages need newer versions of installed ones, which this script does not upgrade unless asked; nothing was installed:" >&2
    printf '  %s\n' "${needs[@]}" | sort -u >&2
    echo "Pass --upgrade-system to install those bundled versions too, or --no-system to skip the Debian packages (every report format but PDF works without)." >&2
    exit 1
  fi
  files=()
  for p in "${!plan[@]}"; do files+=("${bdeb[$p]}"); done
  upgraded=$((${#plan[@]} - missing))
  if [ ${#files[@]} -eq 0 ]; then
    echo "Debian packages: all $((present + older)) already installed ($older of them older than bundled, left as they are); nothing to install"
  elif [ "$(id -u)" -ne 0 ]; then
    echo "install-offline: $missing Debian packages are missing$([ "$upgraded" -eq 0 ] || echo " ($upgraded more to upgrade, --upgrade-system)"), and installing them needs root. Run as root:" >&2
    printf '  dpkg -i' >&2
    printf ' %q' "${files[@]}" >&2
    echo >&2
    echo "then this script again; or pass --no-system to skip them (every report format but PDF works without)." >&2
    exit 1
  else
    echo "Debian packages: installing $missing missing$([ "$upgraded" -eq 0 ] || echo " and upgrading $upgraded (--upgrade-system)"); $((present + older - upgraded)) installed left as they are"
    if ! dpkg -i "${files[@]}"; then
      # dpkg -i unpacks before it configures: say what it left behind, and how to finish.
      left=()
      while read -r name st; do
        if [ -n "${plan[$name]+x}" ] && [ "$st" != ii ]; then
          case "$st" in
            ?U*) left+=("$name (unpacked, not configured)") ;;
            ?F*) left+=("$name (half-configured)") ;;
            ?H*) left+=("$name (half-installed)") ;;
            ?W*|?t*) left+=("$name (awaiting triggers)") ;;
            *) ;;
          esac
        fi
      done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${!plan[@]}" 2>/dev/null || true)
      if [ ${#left[@]} -eq 0 ]; then
        die "dpkg -i failed (above) and left none of these packages part-installed; nothing was installed into a virtual environment yet. Once fixed, run this script again"
      fi
      echo "install-offline: dpkg -i failed (above); nothing was installed into a virtual environment yet. dpkg left:" >&2
      printf '  %s\n' "${left[@]}" >&2
      echo "To finish once the problem above is fixed: dpkg --configure -a (\`dpkg --audit\` lists every package not fully installed), or install the bundle's packages again:" >&2
      printf '  dpkg -i' >&2
      printf ' %q' "${files[@]}" >&2
      echo >&2
      exit 2
    fi
  fi
elif [ "$system" -eq 0 ]; then
  echo "Debian packages: skipped (--no-system); PDF reports need pango and a CJK font"
fi

# 3. The virtual environment. Nothing may reach for a package index: every PIP_* setting of the
# caller (PIP_FIND_LINKS, PIP_EXTRA_INDEX_URL ...) is dropped, no pip.conf is read (a devnull
# PIP_CONFIG_FILE makes pip skip every config file, a machine's constraint= too), the index is
# switched off, and its URL points at the discard port should anything still ask.
# (compgen -e: the exported names themselves; a value holding a newline cannot forge one.)
for var in $(compgen -e); do if [[ "$var" == PIP_* ]]; then unset "$var"; fi; done
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_INDEX_URL=http://127.0.0.1:9/ PIP_DISABLE_PIP_VERSION_CHECK=1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

version=$(manifest netpatrol)
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p -- "$(dirname -- "$venv")" 2>/dev/null \
    || die "cannot create $(q "$(dirname -- "$venv")") (as root, or --venv DIR somewhere writable)"
  # Without ensurepip (missing from Debian's python3 unless python3-venv is installed): the venv's
  # pip comes from the bundled pip wheel, run straight from the wheel file.
  "$PY" -m venv --without-pip "$venv" || die "could not create $(q "$venv") (as root, or --venv DIR somewhere writable)"
  before=""
else
  venv_py=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
    || die "$(q "$venv") exists but its python does not run: remove it (rm -r $(q "$venv")) and run this script again"
  [ "$venv_py" = "$want_py" ] \
    || die "$(q "$venv") is a Python $venv_py environment, this bundle is for Python $want_py: remove it (rm -r $(q "$venv")) and run this script again, or pass another --venv"
  before=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("netpatrol"))' 2>/dev/null || true)
fi
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  pip_wheels=("$HERE"/wheels/pip-*.whl)
  [ ${#pip_wheels[@]} -gt 0 ] || die "no pip wheel in $(q "$HERE/wheels") to bootstrap the virtual environment's pip"
  pip_wheel=${pip_wheels[0]}
  "$venv/bin/python" "$pip_wheel/pip" install -q --no-index --find-links "$HERE/wheels" pip \
    || die "could not install pip into $(q "$venv") from $(q "$pip_wheel") (above)"
fi
# An existing environment takes the bundle's release of every dependency too (eager), not only
# what the new netpatrol strictly requires: the bundle is one tested set.
"$venv/bin/python" -m pip install -q --upgrade --upgrade-strategy eager --no-index --find-links "$HERE/wheels" "netpatrol==$version" \
  || die "pip could not install netpatrol $version from $(q "$HERE/wheels") (above)"
if [ "$before" = "$version" ]; then
  # Same version number (a rebuilt bundle of an unreleased version): pip would see nothing to do,
  # so the bundle's own netpatrol wheel replaces the installed code.
  own=("$HERE"/wheels/netpatrol-"$version"-*.whl)
  [ ${#own[@]} -gt 0 ] || die "no netpatrol $version wheel in $(q "$HERE/wheels")"
  "$venv/bin/python" -m pip install -q --no-deps --force-reinstall --no-index "${own[@]}" \
    || die "pip could not reinstall netpatrol $version from $(q "$HERE/wheels") (above)"
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
  export PATH=$(q "$venv/bin"):\$PATH
  netpatrol init /srv/netpatrol      # a new workspace (inventory, jobs, checks) to fill in
  cd /srv/netpatrol && netpatrol inventory check
EOF
