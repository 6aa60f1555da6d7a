#!/bin/sh
# Starts nats-server with deploy/nats.conf, exporting NATS_PASSWORD_<USER> (read by nats-auth.conf)
# from the secret files /run/nats/<user>/password (`npm run nats -- secrets`, docs/nats-security.md).
set -eu
for user in admin identity stock purchase billing consignment dashboard notification acquisition maintenance; do
  file="/run/nats/$user/password"
  if [ ! -s "$file" ]; then
    echo "missing NATS password $file: run 'npm run nats -- secrets' on the host" >&2
    exit 1
  fi
  export "NATS_PASSWORD_$(echo "$user" | tr '[:lower:]' '[:upper:]')=$(cat "$file")"
done
exec nats-server -c /etc/nats/nats.conf
