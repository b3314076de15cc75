# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The harness's one library, sourced by its scripts after they set $top to
# the repository (the kselftests have their own, kheaders_lib.sh).  Its
# parts, by concern, are in harness/lib/:
#   tap.sh      TAP: tap_result, tap_skip, tap_test, tap_diag, tap_done,
#               fail; results: kh_record, kh_tap, kh_tally, kh_time,
#               kh_table, the ledger that the runners' final table is
#               made from
#   build.sh    progress: kh_run, kh_wait (a long step, its log, a line a
#               minute); trees: kh_unpack (a Debian linux-source tarball,
#               unpacked once); make: kh_ccache, kh_make
#   configs.sh  kh_config, kh_configs: the kernels the harness builds
#   fast.sh     fast_setup, fast_test and the generator helpers that the
#               files of harness/fast/ share
#

: "${top:?harness/lib.sh: the sourcing script sets top to the repository}"

# shellcheck source=harness/lib/tap.sh
. "$top/harness/lib/tap.sh"
# shellcheck source=harness/lib/build.sh
. "$top/harness/lib/build.sh"
# shellcheck source=harness/lib/configs.sh
. "$top/harness/lib/configs.sh"
# shellcheck source=harness/lib/fast.sh
. "$top/harness/lib/fast.sh"
