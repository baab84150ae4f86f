#!/bin/sh
# Prints a credential-looking line (which must not reach kspm's error message) and fails.
echo '{"status":{"token":"LEAKED-IF-PRINTED"}}'
echo "fails.sh: could not refresh the session" >&2
exit 3
