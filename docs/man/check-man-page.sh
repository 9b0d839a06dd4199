#!/bin/sh
# check-man-page.sh MAN_PAGE ECERT_TOKEN_BINARY
#
# Keeps ecert-token(1) from falling behind the CLI (CTest: docs.man_page):
#  1. groff formats the page without a single warning (-ww);
#  2. every command the binary lists in `--help`, and every subcommand of
#     those (policy show/set, browser install/remove/status, ...), has an
#     entry in the page: a .TP or .SS whose tag starts with the command's
#     words ("policy set ...");
#  3. every option a command's `--help` lists is mentioned in that command's
#     entry (from its tag to the next command's tag or section), and every
#     global option anywhere in the page.
# Exit 0: all good; 1: something is missing (each listed); 77: groff is not
# installed (skipped); 2: bad arguments.
set -u

if [ $# -ne 2 ] || [ ! -r "$1" ] || [ ! -x "$2" ]; then
  echo "usage: $0 MAN_PAGE ECERT_TOKEN_BINARY" >&2
  exit 2
fi
page=$1
binary=$2

if ! command -v groff >/dev/null 2>&1; then
  echo "SKIP: groff is not installed (Debian: groff-base)"
  exit 77
fi

# Untranslated help and messages, whatever the caller's locale.
LC_ALL=C LANGUAGE= LANG=C
export LC_ALL LANGUAGE LANG

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# 1. groff warnings.
if ! groff -man -Tutf8 -ww -z "$page" >"$tmp/groff.out" 2>&1; then
  fail "groff failed on $page"
fi
if [ -s "$tmp/groff.out" ]; then
  fail "groff warns about $page:"
  sed 's/^/  /' "$tmp/groff.out"
fi

# The page's source as plain text, one roff line per line: escaped hyphens
# and minus signs made plain, font changes, break points and quotes removed.
sed -e 's/\\-/-/g' -e 's/\\(mi/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' \
  -e 's/\\[:%&]//g' -e 's/"//g' "$page" >"$tmp/page.txt"

# The commands of `help_text` (the "Subcommands:" section), one a line.
subcommands_of() {
  awk '/^Subcommands:/ { on = 1; next }
       on && /^[^ ]/ { on = 0 }
       on && /^  [a-z][a-z0-9-]*( |$)/ { print $1 }' "$1"
}

# The options of `help_text` (the "Options:" section), -h/--help left out:
# "  -o,--output TEXT" gives -o and --output.
options_of() {
  awk '/^Options:/ { on = 1; next }
       on && /^[^ ]/ { on = 0 }
       on && /^  -/ {
         n = split($1, names, ",")
         for (i = 1; i <= n; i++)
           if (names[i] != "-h" && names[i] != "--help") print names[i]
       }' "$1"
}

# Every command path ("list", "policy", "policy show", ...), parents first.
: >"$tmp/commands"
if ! "$binary" --help >"$tmp/help.top" 2>&1; then
  fail "$binary --help failed"
fi
for command in $(subcommands_of "$tmp/help.top"); do
  echo "$command" >>"$tmp/commands"
  "$binary" "$command" --help >"$tmp/help.$command" 2>&1 || fail "$binary $command --help failed"
  for sub in $(subcommands_of "$tmp/help.$command"); do
    echo "$command $sub" >>"$tmp/commands"
    "$binary" "$command" "$sub" --help >"$tmp/help.$command.$sub" 2>&1 ||
      fail "$binary $command $sub --help failed"
  done
done
if [ ! -s "$tmp/commands" ]; then
  fail "no commands found in $binary --help"
fi

# The entry of a command: the lines from the tag line (a .SS line, or the line
# after a .TP, that starts with the command's words) up to the next tag line
# of any command, or the next .SH/.SS. Prints nothing when there is none.
entry_of() {
  awk -v want="$1" -v commands="$tmp/commands" '
    BEGIN { while ((getline c < commands) > 0) known[c] = 1 }
    function starts(line, cmd) { return line == cmd || index(line, cmd " ") == 1 }
    function tag_of(line,   c) {   # the longest command this tag line names
      sub(/^\.[A-Za-z]+ +/, "", line)   # .B, .BR, .SS, ...
      best = ""
      for (c in known) if (starts(line, c) && length(c) > length(best)) best = c
      return best
    }
    {
      tag = ""
      if (after_tp) tag = tag_of($0)
      else if ($0 ~ /^\.SS /) tag = tag_of($0)
      after_tp = ($0 ~ /^\.TP/)
      if (inside && (tag != "" || $0 ~ /^\.S[HS]/)) inside = 0
      if (tag != "" && starts(tag, want)) { inside = 1; found = 1 }
      if (inside) print
    }' "$tmp/page.txt"
}

mentions() {  # mentions OPTION FILE: the option as a whole word
  grep -Eq -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|$)" "$2"
}

# 2 and 3. Commands and their options.
while read -r command; do
  entry_of "$command" >"$tmp/entry"
  if [ ! -s "$tmp/entry" ]; then
    fail "the command \"$command\" has no .TP or .SS entry in $page"
    continue
  fi
  help="$tmp/help.$(echo "$command" | tr ' ' '.')"
  for option in $(options_of "$help"); do
    mentions "$option" "$tmp/entry" || fail "\"$command\": the option $option is not in its entry in $page"
  done
done <"$tmp/commands"

# Global options: anywhere in the page.
for option in $(options_of "$tmp/help.top"); do
  mentions "$option" "$tmp/page.txt" || fail "the global option $option is not in $page"
done

if [ "$failures" -ne 0 ]; then
  echo "$failures problem(s): update $page"
  exit 1
fi
echo "OK: $page formats without warnings and documents $(wc -l <"$tmp/commands") commands of $binary"
exit 0
