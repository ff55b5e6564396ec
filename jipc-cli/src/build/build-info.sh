#!/bin/sh
# Writes the properties file that `jipc --version` reads: the project version and the git commit the jar is built
# from (short hash, "-dirty" when tracked files differ from it; "unknown" without git or outside a checkout).
# Run by the build (exec-maven-plugin, generate-resources): build-info.sh OUTPUT_FILE VERSION SOURCE_DIR
set -u
out=$1
version=$2
dir=$3
commit=unknown
if command -v git >/dev/null 2>&1 && hash=$(git -C "$dir" rev-parse --short HEAD 2>/dev/null); then
    commit=$hash
    # Untracked files do not count, as with `git describe --dirty`.
    if [ -n "$(git -C "$dir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
        commit="$commit-dirty"
    fi
fi
mkdir -p "$(dirname "$out")"
printf 'version=%s\ncommit=%s\n' "$version" "$commit" > "$out"
