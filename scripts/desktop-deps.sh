#!/usr/bin/env bash
# The desktop app's Debian 12 packages: WebKitGTK and GTK to build and run
# it, Xvfb, D-Bus and WebKitWebDriver for the end-to-end tests. Installs
# only what is missing (apt needs root; CI and the dev machines are root).
set -euo pipefail

packages=(
  pkg-config libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev
  xvfb xauth dbus dbus-x11 webkit2gtk-driver
)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
