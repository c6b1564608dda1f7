#!/usr/bin/env bash
# Regenerates META-INF/MANIFEST.MF from the jars in lib/ (run a build first so that
# maven-dependency-plugin has copied them). Bundle-ClassPath lists every jar; Export-Package lists
# every package with classes under org.nd4j (without its shaded third-party copies in
# org.nd4j.shade) and org.bytedeco, at this wrapper's version (the jars are libraries of several
# versions) and for the bundles that use ND4J only (x-friends). The other libraries stay private
# to this bundle, and so does org.layerwise.nd4j.internal (the activator in ".", see
# Activator.java). Lines longer than 72 bytes are folded onto continuation lines, as the JAR
# format requires.
set -euo pipefail
cd "$(dirname "$0")"
JAR="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
jars=$(cd lib && ls *.jar | LC_ALL=C sort)
[ -n "$jars" ] || { echo "lib/ is empty: build the bundle first" >&2; exit 1; }
pkgs=$(for j in $jars; do "$JAR" tf "lib/$j"; done | grep '\.class$' | grep -v '^META-INF/' \
  | sed 's|/[^/]*$||' | tr / . | grep -E '^org\.(nd4j|bytedeco)\.' | grep -v '^org\.nd4j\.shade\.' \
  | LC_ALL=C sort -u)
list() { sed '$!s/$/,/' | sed '1!s/^/ /'; }
VERSION=0.1.0
FRIENDS=org.layerwise.backend.softmax,org.layerwise.nd4j.tests
{
  cat <<HEAD
Manifest-Version: 1.0
Bundle-ManifestVersion: 2
Bundle-Name: Layerwise ND4J (nd4j-native 1.0.0-M2.1, linux-x86_64)
Bundle-SymbolicName: org.layerwise.nd4j
Bundle-Version: 0.1.0.qualifier
Bundle-Vendor: Layerwise
Bundle-RequiredExecutionEnvironment: JavaSE-21
Eclipse-BundleShape: dir
Bundle-Activator: org.layerwise.nd4j.internal.Activator
Bundle-ActivationPolicy: lazy
Import-Package: org.osgi.framework;version="[1.8,2)"
HEAD
  printf 'Bundle-ClassPath: '; { echo .; for j in $jars; do echo "lib/$j"; done; } | list
  printf 'Export-Package: '; echo "$pkgs" | sed "s/\$/;version=\"$VERSION\";x-friends:=\"$FRIENDS\"/" | list
} | awk '{ while (length($0) > 72) { print substr($0, 1, 72); $0 = " " substr($0, 73) } print }' > META-INF/MANIFEST.MF
if awk 'length > 72 { bad = 1 } END { exit !bad }' META-INF/MANIFEST.MF; then
  echo "a manifest line is longer than 72 bytes" >&2; exit 1
fi
echo "META-INF/MANIFEST.MF: $(echo "$jars" | wc -l) jars, $(echo "$pkgs" | wc -l) packages"
