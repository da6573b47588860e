#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW, empty database (khôi phục), never over the live one:
#   scripts/restore.sh FILE TARGET_URL      e.g. postgresql://postgres@127.0.0.1:5432/asxh_restored
# Then check it (`DATABASE_URL=TARGET_URL flask --app wsgi db current`, /healthz) and switch DATABASE_URL to it.
set -euo pipefail
file="${1:?tệp sao lưu?}"
target="${2:?địa chỉ cơ sở dữ liệu mới?}"
target="${target/postgresql+psycopg:/postgresql:}"
name="${target##*/}"; name="${name%%\?*}"
server="${target%/*}/postgres"
psql --dbname="$server" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$name\""
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target" "$file"
echo "đã khôi phục vào $name"
