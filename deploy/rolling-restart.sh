#!/usr/bin/env bash
# Restarts colbot's processes one after another (after an upgrade: `pip install -U`, then this),
# waiting for each to answer /readyz before the next, so the city is never without colbot.
# Usage: rolling-restart.sh [PORT ...] (default: every enabled colbot@PORT).
set -euo pipefail

ports=("$@")
if [ "${#ports[@]}" -eq 0 ]; then
    mapfile -t ports < <(systemctl list-units --plain --no-legend 'colbot@*.service' \
        | sed -n 's/^colbot@\([0-9]*\)\.service.*/\1/p')
fi
# Migrations first, once: processes on the old code keep working on the newer schema meanwhile.
sudo -u colbot env $(grep -v '^#' /etc/colbot/colbot.env | xargs) /opt/colbot/.venv/bin/colbot db upgrade
for port in "${ports[@]}"; do
    systemctl restart "colbot@$port"
    for _ in $(seq 1 60); do
        if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null; then break; fi
        sleep 1
    done
    curl -fsS "http://127.0.0.1:$port/readyz" || { echo "colbot@$port is not ready" >&2; exit 1; }
    echo
done
