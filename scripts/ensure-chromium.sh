#!/bin/sh
# Run by `npm test` first: the browser tests (test/browser/) drive Debian's Chromium, because
# browser downloads (`npx playwright install`) do not work here. On a fresh Debian machine where
# we are root, install it once (about 30 s); anywhere else, say how, and let those tests fail
# with the same advice.
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then exit 0; fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser tests (once)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
  echo "ensure-chromium: apt-get could not install chromium; the browser tests will fail" >&2
  exit 0
fi
echo "ensure-chromium: no Chromium at /usr/bin/chromium: install it (sudo apt-get install chromium) or set CHROMIUM_PATH; the browser tests will fail until then" >&2
exit 0
