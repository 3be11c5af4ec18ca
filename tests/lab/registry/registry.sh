#!/bin/sh
# Start/stop Debian's docker-registry on 127.0.0.1 for the build lab, with a private config
# and storage (the packaged config listens on all addresses with htpasswd auth; not used).
#   registry.sh start|stop|status|url   (state in $NESTOS_REGISTRY_DIR, default .cache/build/registry)
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
dir=${NESTOS_REGISTRY_DIR:-$top/.cache/build/registry}
addr=${NESTOS_REGISTRY_ADDR:-127.0.0.1:5005}
pidfile=$dir/registry.pid

running() {
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}
ready() {
    curl -fsS -o /dev/null "http://$addr/v2/" 2>/dev/null
}

case "${1:-}" in
    start)
        if running && ready; then echo "registry already running on $addr"; exit 0; fi
        command -v docker-registry >/dev/null || { echo "docker-registry is not installed (apt-get install docker-registry)" >&2; exit 1; }
        mkdir -p "$dir/data"
        cat > "$dir/config.yml" <<CONF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $addr
  secret: nestos-lab-registry
CONF
        nohup docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
        echo $! > "$pidfile"
        i=0
        while ! ready; do
            i=$((i + 1))
            if [ $i -gt 50 ] || ! running; then
                echo "registry did not start; log:" >&2
                tail -n 20 "$dir/registry.log" >&2
                exit 1
            fi
            sleep 0.1
        done
        echo "registry running on $addr (pid $(cat "$pidfile"))"
        ;;
    stop)
        if running; then kill "$(cat "$pidfile")"; fi
        rm -f "$pidfile"
        ;;
    status)
        if running && ready; then echo "running on $addr"; else echo "stopped"; exit 3; fi
        ;;
    url)
        echo "$addr"
        ;;
    *)
        echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
