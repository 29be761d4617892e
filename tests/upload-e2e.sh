#!/usr/bin/env bash
# triage upload and collect --upload against a real S3 server on loopback
# (s3rver, installed into tests/s3 by 'setup.sh test'), checked with an
# independent client (Debian's s3cmd): the object is listed and its bytes
# are the bundle's. Then the failures: a wrong secret (s3rver verifies
# SigV4 signatures: SignatureDoesNotMatch), a store that drops the
# connection mid-request, a 50 MB bundle, and a presigned URL (a small
# python server that refuses any request with an Authorization header).
# A failed upload must exit non-zero and keep the local bundle.
#
# s3rver checks the access key but NOT SigV4 signatures (its middleware
# leaves V4 "unimplemented"), so triage talks to it through
# tests/tools/sigv4-proxy.py, which recomputes every signature and payload
# hash independently of libcurl and refuses a wrong one as S3 does; s3cmd
# talks to s3rver directly. A wrong access key is also tried on s3rver
# itself (InvalidAccessKeyId, its own check).
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
S3RVER=$SRCDIR/tests/s3/node_modules/s3rver/bin/s3rver.js
command -v node >/dev/null || { echo "skip: no node"; exit 77; }
[ -f "$S3RVER" ] || { echo "skip: s3rver not installed (npm install --prefix tests/s3)"; exit 77; }
command -v s3cmd >/dev/null || { echo "skip: no s3cmd (apt-get install s3cmd)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }

. "$SRCDIR/tests/workdir.sh" triage-upload
status=0
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok   $*"; }

# a free loopback port, asked of the kernel
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PORT=$(free_port)
mkdir -p "$WORK/s3"
node "$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p "$PORT" --silent --configure-bucket bundles \
	>"$WORK/s3rver.log" 2>&1 &
PIDS+=("$!")
S3EP=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -s -o /dev/null "$S3EP/" && break; sleep 0.1; done
curl -s -o /dev/null "$S3EP/" || die "s3rver did not start: $(cat "$WORK/s3rver.log")"
python3 "$SRCDIR/tests/tools/sigv4-proxy.py" "$PORT" S3RVER S3RVER "$WORK/proxy.port" &
PIDS+=("$!")
for _ in $(seq 100); do [ -s "$WORK/proxy.port" ] && break; sleep 0.1; done
[ -s "$WORK/proxy.port" ] || die "the SigV4 gateway did not start"
EP=http://127.0.0.1:$(cat "$WORK/proxy.port")

# s3rver's one account
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL
cat >"$WORK/s3cfg" <<CFG
[default]
access_key = S3RVER
secret_key = S3RVER
host_base = 127.0.0.1:$PORT
host_bucket = 127.0.0.1:$PORT
use_https = False
signature_v2 = False
CFG
s3() { s3cmd -c "$WORK/s3cfg" "$@"; }

# 1. upload, list and compare with the independent client
cp "$SRCDIR/bundles/case2-unclosed-body.tgz" "$WORK/case2.tgz"
where=$("$TRIAGE" upload --endpoint "$EP" "$WORK/case2.tgz" s3://bundles/prod/node-1/ 2>"$WORK/up.err") ||
	fail "upload: $(cat "$WORK/up.err")"
[ "$where" = s3://bundles/prod/node-1/case2.tgz ] || fail "upload printed '$where'"
s3 ls s3://bundles/prod/node-1/ >"$WORK/ls.txt" 2>&1 || fail "s3cmd ls: $(cat "$WORK/ls.txt")"
grep -q "s3://bundles/prod/node-1/case2.tgz" "$WORK/ls.txt" || fail "s3cmd does not list the object: $(cat "$WORK/ls.txt")"
s3 get --force s3://bundles/prod/node-1/case2.tgz "$WORK/back.tgz" >/dev/null 2>&1 || fail "s3cmd get"
cmp -s "$WORK/case2.tgz" "$WORK/back.tgz" && ok "upload: $(grep case2 "$WORK/ls.txt" | tr -s ' '), byte-identical via s3cmd" ||
	fail "the object differs from the bundle"
[ -f "$WORK/case2.tgz" ] || fail "triage upload removed the local bundle"

# an exact key (no trailing '/'), and AWS_ENDPOINT_URL instead of --endpoint
AWS_ENDPOINT_URL=$EP "$TRIAGE" upload "$WORK/case2.tgz" s3://bundles/exact/name.tgz >/dev/null 2>&1 &&
	s3 ls s3://bundles/exact/name.tgz 2>/dev/null | grep -q name.tgz && ok "exact key through AWS_ENDPOINT_URL" ||
	fail "exact key through AWS_ENDPOINT_URL"

# 2. a wrong secret: a clear error, non-zero, the bundle kept
AWS_SECRET_ACCESS_KEY=wrong "$TRIAGE" upload --endpoint "$EP" "$WORK/case2.tgz" s3://bundles/wrong/ \
	>/dev/null 2>"$WORK/wrong.err"
rc=$?
[ $rc -ne 0 ] || fail "a wrong secret exited 0"
grep -q "SignatureDoesNotMatch" "$WORK/wrong.err" && grep -q "AWS_SECRET_ACCESS_KEY" "$WORK/wrong.err" ||
	fail "wrong secret: unclear error: $(cat "$WORK/wrong.err")"
[ -f "$WORK/case2.tgz" ] || fail "wrong secret: the bundle is gone"
s3 ls s3://bundles/wrong/ 2>/dev/null | grep -q . && fail "wrong secret: an object was stored"
[ $rc -ne 0 ] && ok "wrong secret (exit $rc): $(head -1 "$WORK/wrong.err")"

# a wrong access key, refused by s3rver itself
AWS_ACCESS_KEY_ID=NOSUCHKEY "$TRIAGE" upload --endpoint "$S3EP" "$WORK/case2.tgz" s3://bundles/wrong/ \
	>/dev/null 2>"$WORK/wrongkey.err" && fail "a wrong access key exited 0"
grep -q "InvalidAccessKeyId" "$WORK/wrongkey.err" && [ -f "$WORK/case2.tgz" ] &&
	ok "wrong access key: $(head -1 "$WORK/wrongkey.err")" || fail "wrong access key: $(cat "$WORK/wrongkey.err")"

# no credentials at all
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$TRIAGE" upload --endpoint "$EP" "$WORK/case2.tgz" \
	s3://bundles/x/ 2>&1 | grep -q "no credentials" || fail "missing credentials are not named"

# 3. collect --upload: uploaded, confirmed, the local copy removed; and kept when it fails
sleep 300 &
target=$!
PIDS+=("$target")
out=$("$TRIAGE" collect -q --cpu-seconds 0 --timeout 2 -o "$WORK/coll.tgz" --upload s3://bundles/collect/ \
	--endpoint "$EP" "$target" 2>"$WORK/coll.err")
rc=$?
# sleep is not a Go program: the bundle holds no profile (exit 4) but is uploaded
[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "collect --upload ($rc): $(cat "$WORK/coll.err")"
echo "$out" | grep -qx "s3://bundles/collect/coll.tgz" || fail "collect --upload printed '$out'"
[ -f "$WORK/coll.tgz" ] && fail "collect --upload kept the local copy after a confirmed upload"
s3 get --force s3://bundles/collect/coll.tgz "$WORK/coll-back.tgz" >/dev/null 2>&1 &&
	"$TRIAGE" show "$WORK/coll-back.tgz" >/dev/null && ok "collect --upload: the bundle is in the store and readable" ||
	fail "collect --upload: the uploaded bundle is not readable"
AWS_SECRET_ACCESS_KEY=wrong "$TRIAGE" collect -q --cpu-seconds 0 --timeout 2 -o "$WORK/coll2.tgz" \
	--upload s3://bundles/collect/ --endpoint "$EP" "$target" >/dev/null 2>"$WORK/coll2.err"
rc=$?
[ $rc -eq 3 ] || fail "collect --upload with a wrong secret exited $rc, want 3"
[ -f "$WORK/coll2.tgz" ] && grep -q "kept at $WORK/coll2.tgz" "$WORK/coll2.err" && ok "collect --upload failure keeps the bundle" ||
	fail "collect --upload failure: $(cat "$WORK/coll2.err")"

# 4. a store that drops the connection after the request headers
python3 "$SRCDIR/tests/tools/upload-server.py" drop "$WORK/drop.port" &
PIDS+=("$!")
for _ in $(seq 50); do [ -s "$WORK/drop.port" ] && break; sleep 0.1; done
"$TRIAGE" upload --endpoint "http://127.0.0.1:$(cat "$WORK/drop.port")" "$WORK/case2.tgz" s3://bundles/drop/ \
	>/dev/null 2>"$WORK/drop.err"
rc=$?
[ $rc -ne 0 ] && [ -f "$WORK/case2.tgz" ] && grep -q "still at" "$WORK/drop.err" &&
	ok "dropped connection (exit $rc): $(head -1 "$WORK/drop.err")" || fail "dropped connection: rc $rc, $(cat "$WORK/drop.err")"

# a presigned URL's query is a credential: never in a message
"$TRIAGE" upload --upload-url "http://127.0.0.1:$(cat "$WORK/drop.port")/b/k.tgz?X-Amz-Signature=SECRETSIG" \
	"$WORK/case2.tgz" >/dev/null 2>"$WORK/drop2.err"
[ $? -ne 0 ] && ! grep -q SECRETSIG "$WORK/drop2.err" && ok "presigned URL failure: the signature stays out of the message" ||
	fail "presigned failure message: $(cat "$WORK/drop2.err")"

# 5. a presigned URL: no credentials in the environment, none sent
python3 "$SRCDIR/tests/tools/upload-server.py" presign "$WORK/presign.port" &
PIDS+=("$!")
for _ in $(seq 50); do [ -s "$WORK/presign.port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$WORK/presign.port")/bundles/p.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc"
where=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$TRIAGE" upload --upload-url "$url" "$WORK/case2.tgz" 2>"$WORK/pre.err")
cmp -s "$WORK/case2.tgz" "$WORK/presigned-p.tgz" && [ "${where%%\?*}" = "$where" ] && ok "presigned URL (printed $where)" ||
	fail "presigned: $(cat "$WORK/pre.err")"

# 6. a 50 MB bundle
head -c $((50 << 20)) /dev/urandom >"$WORK/big.tgz"
start=$(date +%s%N)
"$TRIAGE" upload --endpoint "$EP" "$WORK/big.tgz" s3://bundles/big/ >/dev/null 2>"$WORK/big.err" || fail "50 MB: $(cat "$WORK/big.err")"
ms=$((($(date +%s%N) - start) / 1000000))
s3 get --force s3://bundles/big/big.tgz "$WORK/big-back.tgz" >/dev/null 2>&1
cmp -s "$WORK/big.tgz" "$WORK/big-back.tgz" && ok "50 MB bundle in $ms ms, byte-identical via s3cmd" || fail "50 MB bundle differs"

# 7. analyze --fleet over the bucket: listed (ListObjectsV2) and fetched
# through the verifying gateway, so those signatures are checked too
python3 "$SRCDIR/tests/tools/fleet-corpus.py" "$WORK/fleet" 4 "$SRCDIR"/bundles/case2-unclosed-body.tgz \
	"$SRCDIR"/bundles/healthy-service.tgz || fail "fleet-corpus.py"
for b in "$WORK"/fleet/*.tgz; do
	"$TRIAGE" upload --endpoint "$EP" "$b" s3://bundles/fleet/ >/dev/null 2>&1 || fail "upload $b"
done
s3 put "$WORK/case2.tgz" s3://bundles/fleet/notes.txt >/dev/null 2>&1
"$TRIAGE" analyze --fleet s3://bundles/fleet/ --endpoint "$EP" --format json >"$WORK/fleet.json" 2>"$WORK/fleet.err" ||
	fail "analyze --fleet s3://: $(cat "$WORK/fleet.err")"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["bundles"] == 4 and s["analyzed"] == 4, (s["bundles"], s["analyzed"])
ub = [f for f in s["findings"] if f["rule"] == "business-unclosed-response-body"]
assert ub and ub[0]["pods"] == 2, ub
assert all(b["bundle"].startswith("s3://bundles/fleet/fleet-") for b in s["per_bundle"])
' "$WORK/fleet.json" && ok "analyze --fleet s3://bundles/fleet/: 4 bundles from the bucket" || fail "fleet over s3: $(head -c 600 "$WORK/fleet.json")"
AWS_SECRET_ACCESS_KEY=wrong "$TRIAGE" analyze --fleet s3://bundles/fleet/ --endpoint "$EP" >/dev/null 2>"$WORK/fleet2.err"
[ $? -eq 2 ] && grep -q SignatureDoesNotMatch "$WORK/fleet2.err" && ok "fleet over s3 with a wrong secret: clear error" ||
	fail "fleet with a wrong secret: $(cat "$WORK/fleet2.err")"

[ $status = 0 ] && echo "upload-e2e: all passed"
exit $status
