#!/bin/sh
# Writes a help2man include file with each command's --help text, for the man page:
#   sh man/commands.sh /abs/path/to/purgesim >build/purgesim-commands.h2m
# The commands are read from the "commands:" list of `purgesim --help` (help and version left
# out), so the page follows the binary. Fails when a command's --help fails.
set -eu
bin=$1
export LC_ALL=C TZ=UTC
cmds=$("$bin" --help | awk '
  tolower($0) ~ /^commands:/ { on = 1; next }
  on && /^$/ { exit }
  on && /^  [a-z][a-z-]* / { print $1 }')
[ -n "$cmds" ] || cmds="dry-run simulate report forecast generate"
echo '[COMMAND OPTIONS]'
seen=
for c in $cmds; do
  case $c in help | version) continue ;; esac
  text=$("$bin" "$c" --help)
  sum=$(printf '%s\n' "$text" | cksum)
  echo ".SS $c"
  same=$(printf '%s' "$seen" | sed -n "s/^$sum //p" | head -n 1)
  if [ -n "$same" ]; then echo "See $same above."; continue; fi
  seen="$seen$sum $c
"
  echo '.nf'
  # roff: a backslash is \e, and a line must not start with a control character
  printf '%s\n' "$text" | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
  echo '.fi'
done
