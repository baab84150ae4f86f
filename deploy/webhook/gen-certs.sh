#!/usr/bin/env bash
# Creates the webhook's serving certificate with openssl: a CA (10 years) and a certificate for
# the Service kspm-webhook.kspm-webhook.svc (1 year), both ECDSA P-256, into OUT_DIR (default
# ./kspm-webhook-certs). With --apply it also stores them in the cluster (kubectl): the Secret
# kspm-webhook-tls and the CA in the ValidatingWebhookConfiguration's caBundle. Run it again
# before the certificate expires: kspm reloads the new pair from the mounted Secret by itself.
#
# Usage: deploy/webhook/gen-certs.sh [--apply] [OUT_DIR]
# Environment: NAMESPACE (default kspm-webhook), SERVICE (default kspm-webhook), DAYS (default 365).
set -euo pipefail

apply=false
if [[ "${1:-}" == "--apply" ]]; then apply=true; shift; fi
out="${1:-./kspm-webhook-certs}"
namespace="${NAMESPACE:-kspm-webhook}"
service="${SERVICE:-kspm-webhook}"
days="${DAYS:-365}"
mkdir -p "$out"
umask 077

if [[ ! -s "$out/ca.key" ]]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -subj "/CN=kspm-webhook-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/ca.crt"
fi
openssl ecparam -name prime256v1 -genkey -noout -out "$out/tls.key"
openssl req -new -key "$out/tls.key" -subj "/CN=$service.$namespace.svc" -out "$out/tls.csr"
cat >"$out/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:$service.$namespace.svc,DNS:$service.$namespace.svc.cluster.local,DNS:$service.$namespace
EXT
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -days "$days" \
  -sha256 -extfile "$out/tls.ext" -out "$out/tls.crt" 2>/dev/null
rm -f "$out/tls.csr" "$out/tls.ext" "$out/ca.srl"
chmod 644 "$out/ca.crt" "$out/tls.crt"
echo "wrote $out/ca.crt, $out/tls.crt and $out/tls.key for $service.$namespace.svc"

if $apply; then
  kubectl -n "$namespace" create secret tls kspm-webhook-tls --cert "$out/tls.crt" --key "$out/tls.key" \
    --dry-run=client -o yaml | kubectl apply -f -
  kubectl patch validatingwebhookconfiguration kspm --type=json \
    -p "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$(base64 -w0 <"$out/ca.crt")\"}]"
else
  echo "to install: $0 --apply $out   (or: kubectl -n $namespace create secret tls kspm-webhook-tls --cert $out/tls.crt --key $out/tls.key,"
  echo "  and put base64 of $out/ca.crt into the ValidatingWebhookConfiguration's caBundle)"
fi
