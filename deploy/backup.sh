#!/usr/bin/env bash
# Backs up colbot: a pg_dump of its PostgreSQL database (custom format, for pg_restore) and a copy
# of its signing keys, into COLBOT_BACKUP_DIR, keeping COLBOT_BACKUP_DAYS days (14 unless set).
# Run by colbot-backup.timer; by hand: `sudo -u colbot env $(cat /etc/colbot/colbot.env) backup.sh`.
# Restore: `pg_restore --clean --if-exists --dbname=postgresql://... FILE.dump`, and the keys
# folder back into COLBOT_DATA_DIR.
set -euo pipefail

url=${COLBOT_DATABASE_URL:?COLBOT_DATABASE_URL must name the PostgreSQL database}
dir=${COLBOT_BACKUP_DIR:?COLBOT_BACKUP_DIR must name the folder for backups}
days=${COLBOT_BACKUP_DAYS:-14}
data=${COLBOT_DATA_DIR:-/var/lib/colbot}
# pg_dump takes libpq's URL: postgresql://..., without SQLAlchemy's +asyncpg.
url=${url/postgresql+asyncpg:/postgresql:}
stamp=$(date -u +%Y%m%dT%H%MZ)
umask 077
mkdir -p "$dir"
pg_dump --format=custom --no-owner --file="$dir/colbot-$stamp.dump.partial" "$url"
mv "$dir/colbot-$stamp.dump.partial" "$dir/colbot-$stamp.dump"
if [ -d "$data/keys" ]; then
    tar -czf "$dir/colbot-keys-$stamp.tar.gz" -C "$data" keys
fi
find "$dir" -maxdepth 1 -name 'colbot-*' -mtime "+$days" -delete
echo "backed up to $dir/colbot-$stamp.dump"
