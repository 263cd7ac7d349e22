#!/usr/bin/env bash
# Makes a CA, a server certificate (CN=localhost) and a client certificate in the layouts qemu's
# tls-creds-x509 expects: $1/server/{ca-cert,server-cert,server-key}.pem and
# $1/client/{ca-cert,client-cert,client-key}.pem. Uses openssl.
set -euo pipefail
d=$1
mkdir -p "$d/server" "$d/client" "$d/work"
cd "$d/work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca-cert.pem -days 2 \
  -subj "/CN=JSD Test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
for who in server client; do
  openssl req -newkey rsa:2048 -nodes -keyout "$who-key.pem" -out "$who.csr" \
    -subj "/O=JSD/CN=$( [ $who = server ] && echo localhost || echo jsd-client )" 2>/dev/null
  purpose=$( [ $who = server ] && echo serverAuth || echo clientAuth )
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=%s\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n' "$purpose" > "$who.ext"
  openssl x509 -req -in "$who.csr" -CA ca-cert.pem -CAkey ca-key.pem -CAcreateserial \
    -out "$who-cert.pem" -days 2 -extfile "$who.ext" 2>/dev/null
  cp ca-cert.pem "$who-cert.pem" "$who-key.pem" "$d/$who/"
done
