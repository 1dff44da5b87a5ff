# Sourced by bin/ferry and bench scripts: find_jdk prints the home of a JDK >= 21
# (FERRY_JAVA_HOME or JAVA_HOME when suitable, else the newest under /usr/lib/jvm).

release_major() { # prints the feature version the release file of the JDK at $1 gives, or nothing
  local version=""
  [ -f "$1/release" ] && version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1)
  [ "$version" = 1 ] || echo "$version"
}

java_major() { # prints the feature version of the java at $1, or nothing
  local version
  # The JDK's release file says it without starting a JVM (a probe costs 0.1-0.2 s of CPU per run).
  version=$(release_major "$1")
  if [ -n "$version" ]; then echo "$version"; return 0; fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_jdk() {
  local candidate major
  for candidate in "${FERRY_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then
      major=$(java_major "$candidate")
      if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$candidate"; return 0; fi
    fi
  done
  local best="" best_major=0
  for candidate in /usr/lib/jvm/*/; do
    candidate=${candidate%/}
    [ -x "$candidate/bin/java" ] && [ ! -L "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  [ -n "$best" ] && echo "$best"
}

require_jdk() { # sets $jdk or exits with advice
  jdk=$(find_jdk) || true
  if [ -z "${jdk:-}" ]; then
    echo "no JDK 21 or newer found (looked at FERRY_JAVA_HOME, JAVA_HOME and /usr/lib/jvm)." >&2
    echo "install one (Debian: apt-get install openjdk-21-jdk-headless) or point JAVA_HOME at it." >&2
    exit 1
  fi
}
