#!/bin/sh
# Never finishes in time (the client must kill it).
sleep 30
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"late"}}'
