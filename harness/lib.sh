# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers shared by the harness scripts, which source this file.

# tap_result STATUS DESCRIPTION: the next TAP result line, "ok" when
# STATUS is 0
tap_n=0
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n $2"
	else
		echo "not ok $tap_n $2"
	fi
}

# tap_diag: standard input as TAP diagnostics
tap_diag() {
	sed 's/^/# /'
}
