#!/bin/sh
# Setup for bench/refresh.js (never needed at run time of the product): pandas for the
# system Python, /usr/bin/time for peak RSS, prlimit for the pandas memory cap.
set -e
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  $SUDO apt-get update
  $SUDO apt-get install -y python3-pandas
fi
[ -x /usr/bin/time ] || $SUDO apt-get install -y time
command -v prlimit >/dev/null || $SUDO apt-get install -y util-linux
/usr/bin/python3 -c 'import pandas; print("pandas", pandas.__version__)'
