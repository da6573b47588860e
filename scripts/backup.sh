#!/usr/bin/env bash
# Back up the portal's PostgreSQL database (sao lưu) in pg_dump's custom format:
#   scripts/backup.sh [FILE]          (default backups/asxh-YYYYmmdd-HHMMSS.dump)
# DATABASE_URL names the database (postgresql://… or postgresql+psycopg://…). Back up instance/ (secret key,
# signing certificates) separately: it is not in the database.
set -euo pipefail
url="${DATABASE_URL:?DATABASE_URL chưa đặt}"
url="${url/postgresql+psycopg:/postgresql:}"
out="${1:-backups/asxh-$(date +%Y%m%d-%H%M%S).dump}"
mkdir -p "$(dirname "$out")"
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$out"
echo "$out"
