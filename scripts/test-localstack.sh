#!/usr/bin/env bash
# Runs the same test suite against LocalStack instead of moto + DynamoDB Local.
# Needs Docker and LOCALSTACK_AUTH_TOKEN (LocalStack requires an account token since 2026-03);
# not exercised in CI here. Usage: npm run test:localstack
set -euo pipefail
: "${LOCALSTACK_AUTH_TOKEN:?set LOCALSTACK_AUTH_TOKEN (LocalStack needs an account token)}"
command -v docker >/dev/null || { echo "docker is required to run LocalStack" >&2; exit 1; }
name="tideline-localstack-$$"
docker run -d --rm --name "$name" -p 4566:4566 -e LOCALSTACK_AUTH_TOKEN \
  -e SERVICES=sqs,s3,kinesis,dynamodb,scheduler localstack/localstack >/dev/null
trap 'docker stop "$name" >/dev/null' EXIT
for _ in $(seq 1 60); do
  curl -fs http://127.0.0.1:4566/_localstack/health >/dev/null && break
  sleep 2
done
export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
npm test
