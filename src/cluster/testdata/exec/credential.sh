#!/bin/sh
# A test exec credential plugin driven by environment variables (all optional):
#   PLUGIN_TOKEN        token to return (default "plugin-token")
#   PLUGIN_API_VERSION  apiVersion to answer with (default: the one KUBERNETES_EXEC_INFO asks for)
#   PLUGIN_EXPIRES      status.expirationTimestamp
#   PLUGIN_CERT_FILE, PLUGIN_KEY_FILE  return this client certificate and key instead of a token
#   PLUGIN_COUNT_FILE   append one line per run (tests count runs)
#   PLUGIN_RECORD_DIR   write exec-info, args and stdin (what fd 0 is) there
set -eu
if [ -n "${PLUGIN_COUNT_FILE:-}" ]; then echo run >> "$PLUGIN_COUNT_FILE"; fi
if [ -n "${PLUGIN_RECORD_DIR:-}" ]; then
  printf '%s' "${KUBERNETES_EXEC_INFO:-}" > "$PLUGIN_RECORD_DIR/exec-info"
  printf '%s\n' "$@" > "$PLUGIN_RECORD_DIR/args"
  readlink /proc/self/fd/0 > "$PLUGIN_RECORD_DIR/stdin" 2>/dev/null || echo closed > "$PLUGIN_RECORD_DIR/stdin"
fi
version="${PLUGIN_API_VERSION:-$(printf '%s' "${KUBERNETES_EXEC_INFO:-}" | sed -n 's/.*"apiVersion":"\([^"]*\)".*/\1/p')}"
expires=""
if [ -n "${PLUGIN_EXPIRES:-}" ]; then expires=",\"expirationTimestamp\":\"$PLUGIN_EXPIRES\""; fi
if [ -n "${PLUGIN_CERT_FILE:-}" ]; then
  cert=$(awk '{printf "%s\\n", $0}' "$PLUGIN_CERT_FILE")
  key=$(awk '{printf "%s\\n", $0}' "$PLUGIN_KEY_FILE")
  printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"%s"%s}}\n' \
    "$version" "$cert" "$key" "$expires"
else
  printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s"%s}}\n' \
    "$version" "${PLUGIN_TOKEN:-plugin-token}" "$expires"
fi
