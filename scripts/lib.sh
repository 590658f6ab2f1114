# Shared by ./mignet, ./run-tests and .ci/run: find a JDK 25, install what mignet needs, build when stale.
# shellcheck shell=bash

MIGNET_HOME="${MIGNET_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
MIGNET_JAR="$MIGNET_HOME/target/mignet.jar"

# Commands mignet runs, and the Debian package that has each.
MIGNET_TOOLS=(ip:iproute2 nft:nftables ethtool:ethtool ping:iputils-ping iperf3:iperf3 ps:procps ss:iproute2 python3:python3
    nsenter:util-linux unshare:util-linux mmdebstrap:mmdebstrap tini:tini node:nodejs npm:npm
    catatonit:catatonit mount:mount tar:tar)
# What only the tests need besides: a headless browser that opens the HTML report offline, and ovs-ofctl and the
# os-ken controller, the real peers of the OpenFlow agent tests.
MIGNET_TEST_TOOLS=(chromium:chromium ovs-ofctl:openvswitch-common osken-manager:python3-os-ken)

die() { echo "mignet: $*" >&2; exit 1; }

java_major() { # prints the feature version of the java binary $1, or nothing
    "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }'
}

# Sets JAVA_HOME to a JDK 25 or newer: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
find_jdk() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        local v; v=$(java_major "$JAVA_HOME/bin/java")
        if [ -n "$v" ] && [ "$v" -ge 25 ]; then export JAVA_HOME; return 0; fi
    fi
    local best="" best_v=0 dir v
    for dir in /usr/lib/jvm/*/; do
        dir="${dir%/}"
        [ -x "$dir/bin/javac" ] || continue
        v=$(java_major "$dir/bin/java")
        if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best="$dir"; best_v="$v"; fi
    done
    [ -n "$best" ] || die "no JDK 25 or newer found (looked at JAVA_HOME and /usr/lib/jvm). Install one, e.g. apt-get install openjdk-25-jdk, or set JAVA_HOME."
    export JAVA_HOME="$best"
}

require_root() {
    [ "$(id -u)" -eq 0 ] || die "mignet builds network namespaces and needs root: run it as root or with sudo."
}

# Installs the Debian packages of missing tools (once; a no-op when everything is there); by default the
# tools of MIGNET_TOOLS, else those named, e.g. ensure_tools "${MIGNET_TEST_TOOLS[@]}".
ensure_tools() {
    local missing=() entry wanted=("$@")
    [ ${#wanted[@]} -gt 0 ] || wanted=("${MIGNET_TOOLS[@]}")
    for entry in "${wanted[@]}"; do
        command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing tools from packages: ${missing[*]}; install them."
    echo "*** Installing missing packages: ${missing[*]}" >&2
    apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
        || die "could not install ${missing[*]}"
}

mvn_quiet() {
    MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" \
        mvn -B -q "$@"
}

# Builds target/mignet.jar when it is missing or older than any source or the pom.
build_if_stale() {
    if [ -f "$MIGNET_JAR" ] && [ -z "$(find "$MIGNET_HOME/src/main" "$MIGNET_HOME/pom.xml" "$MIGNET_HOME/examples" -newer "$MIGNET_JAR" -print -quit)" ]; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build mignet: apt-get install maven"
    echo "*** Building mignet (first run or sources changed)" >&2
    (cd "$MIGNET_HOME" && mvn_quiet package -DskipTests) >&2 || die "build failed"
}
