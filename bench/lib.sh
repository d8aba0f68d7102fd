# SPDX-License-Identifier: GPL-2.0
#
# Helpers the make bench scripts share (sourced, not run).

# median N...: the median of the numbers given.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2];
		      else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR [FORMAT]: floating point arithmetic, printed with FORMAT (%.2f).
calc() {
	awk "BEGIN { printf \"${2:-%.2f}\", $1 }"
}

# paired_ratio "A1 A2 ..." "B1 B2 ...": the median over rounds of Ai / Bi
# (runs of one round are close in time, so slow drift of the machine
# cancels out).
paired_ratio() {
	local a b i ratios=

	read -r -a a <<< "$1"
	read -r -a b <<< "$2"
	for ((i = 0; i < ${#a[@]}; i++)); do
		ratios+=" $(calc "${a[$i]} / ${b[$i]}" %.4f)"
	done
	# shellcheck disable=SC2086
	calc "$(median $ratios)"
}
