#!/usr/bin/env bash
# Runs every fuzz target (or those named) for a bounded time, one after the other:
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 600 seconds, every target)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each target starts
# from its seeds (corpus/<target>/seed-*) and whatever corpus earlier runs grew; a crash,
# timeout (10 s for one input) or out-of-memory (2 GB) input is written to
# artifacts/<target>/. Prints per target the executions and the time, then the totals; exits
# 1 if any target found a crash (or failed to build).
#
# Environment: FUZZ_TARGET_DIR (cargo's target directory, default fuzz/target),
# FUZZ_NICE (niceness, default 19), FUZZ_LOG_DIR (where each run's libFuzzer log goes,
# default artifacts/logs).
set -u
cd "$(dirname "$0")"

seconds=${1:-600}
shift || true
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=(rules_load config_load cases_load eval serve_body)
fi
target_dir=${FUZZ_TARGET_DIR:-target}
nice_level=${FUZZ_NICE:-19}
logs=${FUZZ_LOG_DIR:-artifacts/logs}
mkdir -p "$logs"

fuzz=(nice -n "$nice_level" cargo +nightly fuzz)
build_opts=(--target-dir "$target_dir" --codegen-units 8)

echo "building ${targets[*]}"
if ! "${fuzz[@]}" build "${build_opts[@]}" >"$logs/build.log" 2>&1; then
    tail -30 "$logs/build.log"
    echo "build failed (log: $logs/build.log)"
    exit 1
fi

dict_for() {
    case $1 in
        rules_load | cases_load | config_load) echo "-dict=yaml.dict" ;;
    esac
}

failed=0
total_runs=0
total_secs=0
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(find "artifacts/$t" -type f | sort)
    log="$logs/$t.log"
    : >"$log"
    echo "fuzzing $t for ${seconds}s (log: $log)"
    start=$(date +%s)
    runs=0
    crashes=0
    # After a crash libFuzzer stops: start again (from the grown corpus) until the time is
    # used up, at most 5 times, so one shallow crash does not hide the rest of the target.
    while :; do
        left=$((seconds - ($(date +%s) - start)))
        [ "$left" -ge 5 ] || break
        # shellcheck disable=SC2046 # the dictionary option is one word or none
        "${fuzz[@]}" run "${build_opts[@]}" "$t" "corpus/$t" -- \
            -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
            -print_final_stats=1 $(dict_for "$t") >"$log.part" 2>&1
        status=$?
        cat "$log.part" >>"$log"
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.part" | tail -1)
        runs=$((runs + ${n:-0}))
        [ "$status" -eq 0 ] && break
        crashes=$((crashes + 1))
        grep -m3 -E "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written" "$log.part" | sed 's/^/    /'
        [ "$crashes" -lt 5 ] || break
    done
    rm -f "$log.part"
    secs=$(($(date +%s) - start))
    new=$(comm -13 <(echo "$before") <(find "artifacts/$t" -type f | sort))
    found=$(echo "$new" | grep -E '/(crash|timeout|oom|leak)-' | tr '\n' ' ')
    # A slow unit (the slowest input so far, over 10 s) is not a failure: replay it to see
    # whether it is slow or the machine was busy.
    slow=$(echo "$new" | grep -E '/slow-unit-' | tr '\n' ' ')
    corpus=$(find "corpus/$t" -type f | wc -l)
    verdict=ok
    if [ "$crashes" -gt 0 ] || [ -n "$found" ]; then
        verdict="$crashes CRASH(ES): ${found}"
        failed=1
    fi
    [ -z "$slow" ] || verdict="$verdict (slow: $slow)"
    line=$(printf '%-12s %12s executions %6ss  corpus %5s  %s' "$t" "$runs" "$secs" "$corpus" "$verdict")
    echo "$line"
    summary+=("$line")
    total_runs=$((total_runs + runs))
    total_secs=$((total_secs + secs))
done

echo
echo "summary"
printf '%s\n' "${summary[@]}"
printf '%-12s %12s executions %6ss\n' total "$total_runs" "$total_secs"
exit "$failed"
