#!/usr/bin/env bash
# Builds the Lambda functions as native executables: functions/intake-lambda/target/function.zip (the HTTP intake) and
# functions/events/target/function.zip (the event-source handlers), each holding `bootstrap`, for the
# provided.al2023 runtime. Deploy them with the CDK app's `-c native=true` (which reads those same paths).
#
#   native-build/build.sh [extra Maven arguments]
#
# Needs one builder, tried in this order:
#   1. a local GraalVM/Mandrel: `native-image` on the PATH or in $GRAALVM_HOME/bin (Java 21+, 23.1 or newer);
#   2. Docker or Podman: the image is built inside the Mandrel builder pinned in
#      core/src/main/resources/META-INF/microprofile-config.properties (quarkus.native.builder-image).
# Refuses, exit code 2, when neither exists.
#
# Environment:
#   NATIVE_BUILDER=local|docker|podman   force a builder instead of detecting one
#   NATIVE_BUILDER_IMAGE=<image>         override the pinned builder image (container builds)
#   NATIVE_RUN_TESTS=1                   also run the modules' tests (the JVM tests; CI runs them anyway)
#
# The native build replaces the JVM function.zip in functions/*/target; `mvn package` without -Dnative
# brings the JVM one (SnapStart) back. Expect several minutes and ~6 GB of memory for native-image.
set -euo pipefail
cd "$(dirname "$0")/.."

refuse() {
  cat >&2 <<EOF
native-build: no native-image builder on this machine.
  Install GraalVM/Mandrel for Java 21 (native-image on the PATH, or GRAALVM_HOME set),
  or make Docker/Podman available (\`docker info\` must succeed) to build in the pinned Mandrel container.
  Without a builder, \`mvn -B verify\` still checks the native preparation (module native-build).
EOF
  exit 2
}

local_native_image() {
  if [ -n "${GRAALVM_HOME:-}" ] && [ -x "$GRAALVM_HOME/bin/native-image" ]; then
    return 0
  fi
  command -v native-image >/dev/null 2>&1
}

container_runtime_works() {
  command -v "$1" >/dev/null 2>&1 && "$1" info >/dev/null 2>&1
}

builder="${NATIVE_BUILDER:-}"
if [ -z "$builder" ]; then
  if local_native_image; then
    builder=local
  elif container_runtime_works docker; then
    builder=docker
  elif container_runtime_works podman; then
    builder=podman
  else
    refuse
  fi
fi

args=(-B -pl functions/intake-lambda,functions/events -am package -Dnative)
case "$builder" in
  local)
    local_native_image || refuse
    args+=(-Dquarkus.native.container-build=false)
    ;;
  docker | podman)
    container_runtime_works "$builder" || refuse
    args+=(-Dquarkus.native.container-build=true "-Dquarkus.native.container-runtime=$builder")
    if [ -n "${NATIVE_BUILDER_IMAGE:-}" ]; then
      args+=("-Dquarkus.native.builder-image=$NATIVE_BUILDER_IMAGE")
    fi
    ;;
  *)
    echo "native-build: NATIVE_BUILDER must be local, docker or podman, not '$builder'" >&2
    exit 2
    ;;
esac
if [ "${NATIVE_RUN_TESTS:-0}" != "1" ]; then
  args+=(-DskipTests)
fi

echo "native-build: building with the $builder builder: mvn ${args[*]} $*"
mvn "${args[@]}" "$@"

for zip in functions/intake-lambda/target/function.zip functions/events/target/function.zip; do
  if [ ! -f "$zip" ]; then
    echo "native-build: the build ended without $zip" >&2
    exit 1
  fi
  if ! python3 - "$zip" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
sys.exit(0 if "bootstrap" in names else 1)
PY
  then
    echo "native-build: $zip has no 'bootstrap': it is not a native (provided.al2023) package" >&2
    exit 1
  fi
done
echo "native-build: the native function.zip files are ready; deploy them with: (cd infra-cdk && npx aws-cdk@2.1148.1 deploy --all -c native=true)"
