# 205 clients that pipeline requests and never read the answers hold every connection slot
cd /tmp/hostile-work/repro && . ./common.sh
newdb sr.db; mkdir -p rs; cfg sr.yaml sr.db rs
printf 'decisions:\n  - name: tier\n    rules:\n      - { id: t, then: { tier: A } }\n' > rs/d.yaml
$T --config sr.yaml serve --listen 127.0.0.1:18088 > sr.out 2> sr.err & SP=$!
sleep 1.5
timeout 80 python3 noread2.py 18088 205 /customers/C1/explain 60 | sed -n '1p;6p;12p'
# SIGTERM while 50 such clients are connected
(timeout 40 python3 noread2.py 18088 50 /customers/C1/explain 30 >/dev/null 2>&1 &); sleep 6
s=$(date +%s.%N); kill -TERM $SP; wait $SP; echo "serve exited rc=$? after $(echo "$(date +%s.%N) - $s" | bc) s"
