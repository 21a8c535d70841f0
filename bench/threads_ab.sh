#!/bin/sh
# Two-thread scaling of COBA, measured by interleaving: for each repetition, every binary runs
# once with 1 thread and once with 2 threads (A,B,A,B,...), so that drift in the machine's speed
# (other jobs, the host) falls on both sides alike. Prints, per binary, the median simulation-
# loop time (summary.json's loop_wall_s) at 1 and 2 threads, their range, the ratio of the
# medians, and the median and range of the per-repetition ratios.
#
#   bench/threads_ab.sh [-n REPS] [-d DURATION_MS] [-m MODEL] [-s KEY=VALUE]... [-q] [-w] [MGSIM...]
#
# MGSIM defaults to ./build/mgsim; give several binaries to compare builds in the same run
# (they are interleaved too). -s passes a --set to every run. -q prints only the summary lines. -w waits before each run until
# the machine has been at least 90 % idle for a second (at most 60 s; a shared machine's other
# jobs otherwise preempt one of the two threads, and each step waits for the slower one).
# Needs jq and awk.
set -eu

reps=7
dur=10000
model=examples/net/coba.yaml
quiet=0
wait_idle=0
sets=''
while getopts n:d:m:s:qw opt; do
    case $opt in
    n) reps=$OPTARG ;;
    d) dur=$OPTARG ;;
    m) model=$OPTARG ;;
    s) sets="$sets --set $OPTARG" ;;
    q) quiet=1 ;;
    w) wait_idle=1 ;;
    *)
        sed -n '2,14p' "$0"
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- ./build/mgsim
for b in "$@"; do
    [ -x "$b" ] || {
        echo "threads_ab.sh: $b is not an executable (build it first)" >&2
        exit 2
    }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

idle_pct() { # percent of CPU time idle over the next second
    a=$(awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
    echo "$a $b" | awk '{d = $4 - $2; print (d > 0 ? int(100 * ($3 - $1) / d) : 100)}'
}

loop_time() { # binary threads -> loop_wall_s
    if [ "$wait_idle" = 1 ]; then
        w=0
        while [ "$(idle_pct)" -lt 90 ] && [ $w -lt 60 ]; do w=$((w + 1)); done
    fi
    # shellcheck disable=SC2086 # $sets is a list of words
    "$1" net "$model" -o "$tmp/out" --quiet --threads "$2" --set run.duration_ms="$dur" $sets >/dev/null
    jq -r .loop_wall_s "$tmp/out/summary.json"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC') model=$model duration_ms=$dur reps=$reps$sets"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$reps" ]; do
    i=0
    for b in "$@"; do
        t1=$(loop_time "$b" 1)
        t2=$(loop_time "$b" 2)
        echo "$i $t1 $t2" >>"$tmp/times"
        [ "$quiet" = 1 ] || echo "rep $r  $b  1 thread $t1 s  2 threads $t2 s  ratio $(echo "$t1 $t2" | awk '{printf "%.2f", $1 / $2}')"
        i=$((i + 1))
    done
    r=$((r + 1))
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
i=0
for b in "$@"; do
    m1=$(awk -v i=$i '$1 == i {print $2}' "$tmp/times" | median)
    m2=$(awk -v i=$i '$1 == i {print $3}' "$tmp/times" | median)
    mr=$(awk -v i=$i '$1 == i {print $2 / $3}' "$tmp/times" | median)
    rng1=$(awk -v i=$i '$1 == i {print $2}' "$tmp/times" | sort -g | sed -n '1p;$p' | paste -sd- -)
    rng2=$(awk -v i=$i '$1 == i {print $3}' "$tmp/times" | sort -g | sed -n '1p;$p' | paste -sd- -)
    rngr=$(awk -v i=$i '$1 == i {printf "%.2f\n", $2 / $3}' "$tmp/times" | sort -g | sed -n '1p;$p' | paste -sd- -)
    printf '%s: 1 thread median %.4f s (%s), 2 threads median %.4f s (%s), ratio of medians %.2fx; per-rep ratio median %.2fx (%s)\n' \
        "$b" "$m1" "$rng1" "$m2" "$rng2" "$(echo "$m1 $m2" | awk '{print $1 / $2}')" "$mr" "$rngr"
    i=$((i + 1))
done
