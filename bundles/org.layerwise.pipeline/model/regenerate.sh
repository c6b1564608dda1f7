#!/bin/sh
# Regenerates ../src-gen from pipeline.genmodel with the EMF code generator (resolved from Maven
# Central by the repository's Maven wrapper). Run from anywhere; needs JAVA_HOME >= 21.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
exec "$root/mvnw" -B -q -f "$here/pom.xml" -Pregenerate-model process-classes "$@"
