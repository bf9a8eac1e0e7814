# lib.sh: sourced by the benchmark scripts after they define say() and
# die().
#
#   need_built FILE...           dies unless each FILE is built
#   need_counts N...             dies unless each N is a count (1 or more)
#   bench_tools CMD=PACKAGE...   installs the Debian packages of the
#                                commands missing (as root), else says how;
#                                a tool still missing is left out of the run
#   have CMD                     whether CMD can be run
#   doc_section KEY TITLE TEXT   puts TEXT between <!-- KEY:begin --> and
#                                <!-- KEY:end --> in docs/BENCHMARKS.md,
#                                under "## TITLE" if the markers are new

need_built() {
	local f
	for f; do
		[ -x "$f" ] || die "$f is missing: make $*"
	done
}

need_counts() {
	local n
	for n; do
		[[ $n =~ ^[1-9][0-9]*$ ]] || die "not a count: '$n'"
	done
}

bench_tools() {
	local need=() pair
	for pair; do
		command -v "${pair%%=*}" >/dev/null || need+=("${pair#*=}")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		say "installing ${need[*]}"
		{ apt-get update -qq &&
		    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
		} >/dev/null 2>&1 || say "apt-get install ${need[*]} failed"
	else
		say "missing tools are left out; to have them:" \
		    "sudo apt-get install -y ${need[*]}"
	fi
}

have() { command -v "$1" >/dev/null; }

doc_section() {
	local key=$1 title=$2 doc=docs/BENCHMARKS.md
	[ -f "$doc" ] || printf '# hvsh benchmarks\n\nWritten by `make bench`.\n' >"$doc"
	grep -q "<!-- $key:begin -->" "$doc" ||
	    printf '\n## %s\n\n<!-- %s:begin -->\n<!-- %s:end -->\n' \
	    "$title" "$key" "$key" >>"$doc"
	R="$3" K="$key" awk '
		$0 == "<!-- " ENVIRON["K"] ":begin -->" { print; print ENVIRON["R"]; skip = 1; next }
		$0 == "<!-- " ENVIRON["K"] ":end -->" { skip = 0 }
		!skip { print }' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
	say "written to $doc"
}
