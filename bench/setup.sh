#!/bin/sh
# Setup for the benchmarks' baselines (never needed at run time of the product): pandas
# (bench/refresh.js) and numpy (bench/rules.js) for Debian's Python, /usr/bin/time for peak
# RSS, prlimit for the pandas memory cap.
set -e
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! /usr/bin/python3 -c 'import pandas, numpy' 2>/dev/null; then
  $SUDO apt-get update
  $SUDO apt-get install -y python3-pandas python3-numpy
fi
[ -x /usr/bin/time ] || $SUDO apt-get install -y time
command -v prlimit >/dev/null || $SUDO apt-get install -y util-linux
/usr/bin/python3 -c 'import pandas, numpy; print("pandas", pandas.__version__, "numpy", numpy.__version__)'
