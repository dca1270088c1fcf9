#!/usr/bin/env bash
# Prepares what the auth-service tests need beyond Rust, on a fresh Debian
# machine, as root: a PostgreSQL cluster on a loopback port with a test role
# that may create databases (each test makes its own), Chromium, and the
# pinned playwright-core in e2e/. Idempotent and quick when all is there.
#
# Prints one line on stdout, for the caller to eval (best written to a
# file, not read through a pipe):
#   export TEST_POSTGRES_URL=postgres://...
# Everything else goes to stderr.
#
# When it starts the cluster it also prints `export AUTH_SERVICE_PG_STARTED=1`;
# `ci-setup.sh stop` stops the cluster again, so that a CI run leaves no
# server behind.
set -euo pipefail
cd "$(dirname "$0")"
exec 3>&1 1>&2

port=${AUTH_SERVICE_PG_PORT:-55432}
cluster=jose_auth_test
role=jose_auth_test
password=jose_auth_test

if [ "${1:-}" = stop ]; then
    if command -v pg_lsclusters >/dev/null; then
        pg_lsclusters -h | awk -v c="$cluster" '$2==c && $4=="online" {print $1}' | while read -r v; do
            pg_ctlcluster "$v" "$cluster" stop </dev/null 3>&-
        done
    fi
    exit 0
fi

# --- packages: only when something is missing (apt-get update is slow).
# Installing postgresql may start Debian's default cluster: like every
# server started below, it gets none of our descriptors (see the start).
missing=()
command -v pg_createcluster >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    echo "auth-service: installing ${missing[*]}"
    apt-get update -qq </dev/null 3>&-
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null 3>&-
else
    echo "auth-service: postgresql and chromium already installed"
fi

# --- a cluster of our own, so the port and settings do not depend on the
# machine's default cluster. Debian's tools run it as the postgres user.
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
    pg_createcluster "$version" "$cluster" --port "$port" -- --auth-local=peer --auth-host=scram-sha-256 </dev/null >/dev/null 3>&-
fi
# Loopback only; tests run in parallel, each with its own database and pool.
# (conf.d is read after postgresql.conf, so these settings win.)
cat > "/etc/postgresql/$version/$cluster/conf.d/jose-auth-test.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 300
CONF
# The server outlives this script: it must hold none of our descriptors.
# A caller reading our stdout (fd 3 here) through a pipe would otherwise
# wait for the server to exit before it saw the end of our output.
started=0
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -qx online; then
    started=1
    start_log=$(mktemp)
    if ! pg_ctlcluster "$version" "$cluster" start </dev/null >"$start_log" 2>&1 3>&-; then
        cat "$start_log"
        exit 1
    fi
    rm -f "$start_log"
fi
for _ in $(seq 1 30); do
    if su postgres -c "psql -p $port -qAtc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
done
su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt" <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
  END IF;
END
\$\$;
SQL
echo "auth-service: PostgreSQL $version cluster $cluster on 127.0.0.1:$port"

# --- playwright-core, pinned by e2e/package-lock.json. npm writes
# node_modules/.package-lock.json on install: newer than the lock file
# means the pinned version is in place.
stamp=e2e/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ e2e/package-lock.json -nt "$stamp" ]; then
    npm ci --prefix e2e --no-audit --no-fund --loglevel=error
else
    echo "auth-service: playwright-core already installed"
fi

echo "export TEST_POSTGRES_URL=postgres://$role:$password@127.0.0.1:$port/postgres" >&3
if [ "$started" = 1 ]; then
    echo "export AUTH_SERVICE_PG_STARTED=1" >&3
fi
