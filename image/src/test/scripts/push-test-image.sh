#!/bin/bash
# push-test-image.sh REGISTRY NAME TAG — builds a tiny two-layer busybox image and pushes it with curl through the
# registry HTTP API (plain HTTP, e.g. a local docker-registry): NAME:TAG (OCI manifest, linux/amd64),
# NAME:TAG-arm64 (same layers, arm64 config) and NAME:TAG-multi (OCI index over both). Used for LocalRegistryPullTest.
set -euo pipefail
REG=$1; NAME=$2; TAG=$3
# PUSH_USER=user:password for a registry with basic auth
# PUSH_TOKEN=<bearer token with push access> for a registry with token auth
curl() { command curl ${PUSH_USER:+-u "$PUSH_USER"} ${PUSH_TOKEN:+-H "Authorization: Bearer $PUSH_TOKEN"} "$@"; }
W=$(mktemp -d "${TMPDIR:-/tmp}/jpod-push.XXXXXX")
cd "$W"
mkdir -p l1/bin l2/etc
cp /bin/busybox l1/bin/busybox; ln -s busybox l1/bin/sh
echo "hello from layer 2" > l2/etc/hello
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C l1 -cf layer1.tar .
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C l2 -cf layer2.tar .
gzip -n -k layer1.tar; gzip -n -k layer2.tar
sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
size() { stat -c %s "$1"; }
push_blob() {
  local f=$1 d; d=$(sha "$f")
  local loc; loc=$(curl -fsS -X POST -D - -o /dev/null "http://$REG/v2/$NAME/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case "$loc" in http*) ;; *) loc="http://$REG$loc";; esac
  case "$loc" in *\?*) sep='&';; *) sep='?';; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$f" "$loc${sep}digest=$d" -o /dev/null
  echo "$d"
}
D1=$(sha layer1.tar); D2=$(sha layer2.tar)
cat > config.json <<JSON
{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$D1","$D2"]},"history":[{"created_by":"busybox"},{"created_by":"hello"}]}
JSON
C=$(push_blob config.json); L1=$(push_blob layer1.tar.gz); L2=$(push_blob layer2.tar.gz)
cat > manifest.json <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$C","size":$(size config.json)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"$L1","size":$(size layer1.tar.gz)},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"$L2","size":$(size layer2.tar.gz)}],"annotations":{"org.opencontainers.image.title":"jpod-test"}}
JSON
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @manifest.json "http://$REG/v2/$NAME/manifests/$TAG" -o /dev/null
M=$(sha manifest.json)
# an arm64 sibling (same layers, different config) and an index over both
sed 's/"architecture":"amd64"/"architecture":"arm64","variant":"v8"/' config.json > config-arm64.json
CA=$(push_blob config-arm64.json)
sed "s/$C/$CA/; s/\"size\":$(size config.json)}/\"size\":$(size config-arm64.json)}/" manifest.json > manifest-arm64.json
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @manifest-arm64.json "http://$REG/v2/$NAME/manifests/$TAG-arm64" -o /dev/null
MA=$(sha manifest-arm64.json)
cat > index.json <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$M","size":$(size manifest.json),"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$MA","size":$(size manifest-arm64.json),"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}
JSON
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary @index.json "http://$REG/v2/$NAME/manifests/$TAG-multi" -o /dev/null
echo "config=$C configArm=$CA layer1=$L1 layer2=$L2 diff1=$D1 diff2=$D2 manifest=$M manifestArm=$MA index=$(sha index.json) dir=$W"
